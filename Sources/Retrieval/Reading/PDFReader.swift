// PDF: stub, replaced by the PDF reader.

/// How PDFs are converted to text: poppler's `pdftotext` (and `pdftohtml` for the outline), run as child processes.
public struct PDFConverter: Sendable {
    /// The folder holding `pdftotext` and `pdftohtml`.
    public var toolFolder: String
    /// The most seconds one conversion may take before it is killed.
    public var timeoutSeconds: Int

    public init(toolFolder: String = "/usr/bin", timeoutSeconds: Int = 60) {
        self.toolFolder = toolFolder
        self.timeoutSeconds = timeoutSeconds
    }
}

enum PDFReader {
    static func read(_ bytes: [UInt8], path: String, converter: PDFConverter) throws(DocumentReadError) -> Outline {
        throw .unsupported(.pdf)
    }
}
