// A document cut into passages of meaning: what ingestion stores and retrieval finds.

/// The formats Quarry reads.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case markdown, text, restructuredText, html, pdf, docx, odt, epub

    /// The format a file's name says (`.md`, `.markdown`, `.txt`, `.rst`, `.html`, `.htm`, `.xhtml`, `.pdf`, `.docx`,
    /// `.odt`, `.epub`), or nil.
    /// Sphinx publishes its reStructuredText sources as `name.rst.txt`: those are reStructuredText.
    public static func of(path: String) -> DocumentFormat? {
        guard let suffix = fileExtension(of: path) else { return nil }
        if suffix == "txt", path.lowercased().hasSuffix(".rst.txt") { return .restructuredText }
        switch suffix {
        case "md", "markdown": return .markdown
        case "txt": return .text
        case "rst": return .restructuredText
        case "html", "htm", "xhtml": return .html
        case "pdf": return .pdf
        case "docx": return .docx
        case "odt": return .odt
        case "epub": return .epub
        default: return nil
        }
    }

    /// Why a file of a format Quarry does not read is passed over: one line, with what to do where there is
    /// something to do.
    public static func unsupportedReason(path: String) -> String {
        switch fileExtension(of: path) ?? "" {
        case "doc": "Word 97–2003 (.doc) is not read: save it as .docx"
        case "ppt", "pptx", "odp", "key": "slides are not read: export them as PDF"
        case "xls", "xlsx", "ods", "csv", "tsv": "spreadsheets are not read"
        case "rtf": "RTF is not read: save it as .docx or .odt"
        case "png", "jpg", "jpeg", "gif", "webp", "tif", "tiff", "bmp", "svg", "heic":
            "images are not read (no OCR): a scan needs to become a PDF with a text layer first"
        case "zip", "gz", "tgz", "xz", "bz2", "7z", "rar", "tar": "archives are not unpacked"
        case "mp3", "mp4", "wav", "ogg", "mov", "avi", "mkv", "webm": "audio and video are not read"
        default: "not a supported format (.md, .txt, .rst, .html, .pdf, .docx, .odt, .epub)"
        }
    }

    /// The formats `Chunker.parse` reads itself: text, in process.
    public static let textFormats: [DocumentFormat] = [.markdown, .text, .restructuredText, .html]

    /// Whether the format's files are containers or binary (read by a library or converter), not text.
    public var isBinary: Bool {
        switch self {
        case .pdf, .docx, .odt, .epub: true
        case .markdown, .text, .restructuredText, .html: false
        }
    }

    /// The lower-cased extension of the file name in `path`, or nil.
    private static func fileExtension(of path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return name[name.index(after: dot)...].lowercased()
    }
}

/// One passage of a document.
public struct Chunk: Sendable, Equatable {
    /// Its place in the document, from 0.
    public var ordinal: Int
    /// The headings it sits under, outermost first (without the document title).
    public var headingPath: [String]
    /// Its text: plain text or markdown, as the document had it.
    public var text: String
    /// The pages its text is on (1 is the first page of the file), for paged documents; nil otherwise.
    public var pages: ClosedRange<Int>?

    public init(ordinal: Int, headingPath: [String], text: String, pages: ClosedRange<Int>? = nil) {
        self.ordinal = ordinal
        self.headingPath = headingPath
        self.text = text
        self.pages = pages
    }
}

/// A document read and cut into chunks.
public struct ParsedDocument: Sendable, Equatable {
    /// Its title: the one the document gives itself (metadata, the first top-level heading, the first line of a
    /// PDF's first page), else a name made from the file's.
    public var title: String
    /// Its chunks, in order.
    public var chunks: [Chunk]

    public init(title: String, chunks: [Chunk]) {
        self.title = title
        self.chunks = chunks
    }
}
