// EPUB: stub, replaced by the EPUB reader.

enum EPUBReader {
    static func read(_ bytes: [UInt8], budget: Int) throws(DocumentReadError) -> Outline {
        throw .unsupported(.epub)
    }
}
