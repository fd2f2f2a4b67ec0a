// OpenDocument text (.odt): stub, replaced by the OpenDocument reader.

enum OpenDocumentReader {
    static func read(_ bytes: [UInt8], budget: Int) throws(DocumentReadError) -> Outline {
        throw .unsupported(.odt)
    }
}
