// Office Open XML (.docx): stub, replaced by the Word reader.

enum WordReader {
    static func read(_ bytes: [UInt8], budget: Int) throws(DocumentReadError) -> Outline {
        throw .unsupported(.docx)
    }
}
