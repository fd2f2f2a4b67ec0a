// A document cut into passages of meaning: what ingestion stores and retrieval finds.

/// The formats Quarry reads.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case markdown, text, restructuredText, html

    /// The format a file's name says (`.md`, `.markdown`, `.txt`, `.rst`, `.html`, `.htm`), or nil.
    public static func of(path: String) -> DocumentFormat? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "md", "markdown": return .markdown
        case "txt": return .text
        case "rst": return .restructuredText
        case "html", "htm": return .html
        default: return nil
        }
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

    public init(ordinal: Int, headingPath: [String], text: String) {
        self.ordinal = ordinal
        self.headingPath = headingPath
        self.text = text
    }
}

/// A document read and cut into chunks.
public struct ParsedDocument: Sendable, Equatable {
    /// Its title: the first top-level heading (or HTML `<title>`), else a name made from the file's.
    public var title: String
    /// Its chunks, in order.
    public var chunks: [Chunk]

    public init(title: String, chunks: [Chunk]) {
        self.title = title
        self.chunks = chunks
    }
}
