// What the fuzzers run (tools/fuzz): each target takes arbitrary bytes, hands them to one of Quarry's parsers of
// hostile input, and checks a promise that parser makes, trapping when it is broken. The same code replays the
// committed corpora and every crash found so far in `swift test` (Tests/FuzzTests), so a crash, once found, stays
// a test.
internal import Retrieval
internal import Gzip
internal import JSON
internal import LLM
internal import Markdown
internal import Server

/// A parser under fuzzing.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The JSON parser: a value it accepts writes out and parses back to the same text.
    case json
    /// The Server-Sent Events parser: events do not depend on how the body is cut into chunks.
    case sse
    /// The chat stream decoder, streamed and whole.
    case chatStream = "chat-stream"
    /// The socket's message decoder: an op, or a rejection with a reason.
    case socketOp = "socket-op"
    /// gzip: decompression stays within its limit; what is compressed comes back.
    case gzip
    /// BlockDiff over the Markdown of a growing answer: the changes turn the old blocks into the new ones.
    case blockDiff = "block-diff"
    /// The document readers, one target per format.
    case markdown, text, rst, html, docx, odt, epub, pdf

    /// Runs one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .json: Self.json(bytes)
        case .sse: StreamFuzzing.sse(bytes)
        case .chatStream: StreamFuzzing.chatStream(bytes)
        case .socketOp: SocketFuzzing.decode(bytes)
        case .gzip: Self.gzip(bytes)
        case .blockDiff: Self.blockDiff(bytes)
        case .markdown: Self.read(bytes, .markdown, "md")
        case .text: Self.read(bytes, .text, "txt")
        case .rst: Self.read(bytes, .restructuredText, "rst")
        case .html: Self.read(bytes, .html, "html")
        case .docx: Self.read(bytes, .docx, "docx")
        case .odt: Self.read(bytes, .odt, "odt")
        case .epub: Self.read(bytes, .epub, "epub")
        case .pdf: Self.read(bytes, .pdf, "pdf")
        }
    }

    /// Where the document readers' committed fixtures are, as extra seeds for the fuzzers and the replay.
    public var fixtureFolders: [String] {
        switch self {
        case .docx, .odt, .epub: ["Tests/RetrievalTests/Fixtures/office"]
        case .pdf: ["Tests/RetrievalTests/Fixtures/pdf"]
        default: []
        }
    }

    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes) else { return }
        let once = value.serialized
        guard let again = try? JSONValue.parse(once) else { preconditionFailure("JSON written is not read back: \(once)") }
        precondition(again.serialized == once, "JSON does not round-trip: \(once) vs \(again.serialized)")
    }

    static func gzip(_ bytes: [UInt8]) {
        let limit = 1 << 20
        if let out = try? Gzip.decompress(bytes, limit: limit) { precondition(out.count <= limit, "inflated past the limit") }
        guard let packed = try? Gzip.compress(bytes) else { preconditionFailure("gzip could not compress") }
        precondition((try? Gzip.decompress(packed, limit: bytes.count + 1)) == bytes, "gzip does not round-trip")
    }

    /// The answer grows through up to eight prefixes of the input; each step's changes must rebuild the next
    /// render from the previous one, as the page applies them. Its citation markers name two passages (a cited
    /// answer rebuilds the tree around them, so it is fuzzed too).
    static func blockDiff(_ bytes: [UInt8]) {
        let text = Array(String(decoding: bytes, as: UTF8.self))
        let steps = min(8, text.count)
        var old: [String] = []
        for step in stride(from: 1, through: steps, by: 1) {
            let new = Markdown.blocks(String(text[..<(text.count * step / steps)]), citations: citations)
            let rebuilt = BlockDiff.apply(BlockDiff.changes(from: old, to: new), to: old)
            precondition(rebuilt == new, "BlockDiff did not rebuild step \(step)")
            old = new
        }
    }

    /// What the fuzzed answers' citation numbers name.
    static let citations = Markdown.Citations(links: [.init(address: "/messages/1/sources/1#passage", title: "a"),
                                                      .init(address: "/messages/1/sources/2#passage", title: "b")])

    /// The readers as the server has them, except that poppler gets 3 s, not 60: a fuzzed PDF that keeps pdftotext
    /// busy must meet the converter's own time limit (the code under test), well inside libFuzzer's 10 s per input.
    static let reader = DocumentReader(pdf: PDFConverter(timeoutSeconds: 3))

    static func read(_ bytes: [UInt8], _ format: DocumentFormat, _ suffix: String) {
        guard let document = try? reader.read(bytes, format: format, path: "/fuzz/input.\(suffix)",
                                              fallbackTitle: "input")
        else { return }
        for (index, chunk) in document.chunks.enumerated() {
            precondition(chunk.ordinal == index, "chunk \(index) has ordinal \(chunk.ordinal)")
            precondition(!chunk.text.isEmpty, "chunk \(index) is empty")
        }
    }
}
