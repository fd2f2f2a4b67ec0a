// Reading any supported document into chunks: the text formats in process (Chunker), Office Open XML, OpenDocument and
// EPUB through libzip and libxml2 (in process, with inflation limits), PDF through poppler's pdftotext in a child
// process with a time limit (PDFReader.swift says why a child process).

/// Reads documents of every supported format into titled chunks.
public struct DocumentReader: Sendable {
    public var chunker: Chunker
    /// How PDFs are converted.
    public var pdf: PDFConverter
    /// The most bytes a container's entries (a .docx's XML, an EPUB's chapters) may inflate to, together.
    public var maxInflatedBytes: Int

    public init(chunker: Chunker = Chunker(), pdf: PDFConverter = PDFConverter(), maxInflatedBytes: Int = 64 << 20) {
        self.chunker = chunker
        self.pdf = pdf
        self.maxInflatedBytes = maxInflatedBytes
    }

    /// Reads `bytes`, the content of the file at `path` in `format`. `fallbackTitle` names a document that gives
    /// itself no title. Throws a `DocumentReadError` whose `reason` is a line for the person running Quarry.
    public func read(_ bytes: [UInt8], format: DocumentFormat, path: String, fallbackTitle: String)
        throws(DocumentReadError) -> ParsedDocument
    {
        let outline: Outline
        switch format {
        case .markdown, .text, .restructuredText, .html:
            return try chunker.parse(bytes, format: format, fallbackTitle: fallbackTitle)
        case .pdf:
            outline = try PDFReader.read(bytes, path: path, converter: pdf)
        case .docx:
            outline = try WordReader.read(bytes, budget: maxInflatedBytes)
        case .odt:
            outline = try OpenDocumentReader.read(bytes, budget: maxInflatedBytes)
        case .epub:
            outline = try EPUBReader.read(bytes, budget: maxInflatedBytes)
        }
        return chunker.chunk(outline, fallbackTitle: fallbackTitle)
    }
}
