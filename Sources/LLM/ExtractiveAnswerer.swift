// Quarry's answer when no model is configured: the passages themselves, quoted with their headings and
// clearly labelled as passages, each cited by its number ("**Title** › Heading [1]") as a model's answer cites,
// streamed like any answer.
internal import TextLines

/// Answers with the most relevant passages, quoted: no model needed.
public struct ExtractiveAnswerer: Answerer {
    /// Passages quoted at most.
    public var maxPassages: Int
    /// Characters quoted from one passage at most; longer ones end at a word with "…".
    public var maxCharactersPerPassage: Int
    /// The Markdown line the quotes start with, saying what they are (the chat sets it in the page's language).
    public var label = ExtractiveAnswerer.label
    /// What it says when no passage matched.
    public var nothing = ExtractiveAnswerer.nothing

    /// An extractive answerer.
    public init(maxPassages: Int = 3, maxCharactersPerPassage: Int = 700) {
        self.maxPassages = maxPassages
        self.maxCharactersPerPassage = maxCharactersPerPassage
    }

    static let label = "*No language model is configured, so here are the passages from the documents that match "
        + "your question best, quoted as they are written.*"
    static let nothing = "I could not find anything about that in the documents on this server."

    public func answer(_ request: AnswerRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        let pieces = Self.pieces(of: markdown(for: request))
        return AsyncThrowingStream { continuation in
            for piece in pieces { continuation.yield(.text(piece)) }
            continuation.yield(.finished(reason: "stop"))
            continuation.finish()
        }
    }

    /// The whole answer as markdown.
    public func markdown(for request: AnswerRequest) -> String {
        let passages = request.passages.prefix(maxPassages)
        guard !passages.isEmpty else { return nothing }
        var out = label + "\n\n"
        for (number, passage) in passages.enumerated() {
            let heading = passage.heading.map { " › \($0)" } ?? ""
            // Cited by its number, as a model cites: the page links it to the passage.
            out += "**\(passage.title)**\(heading) [\(number + 1)]\n\n"
            out += quote(excerpt(of: passage.text)) + "\n\n"
        }
        return String(out.dropLast(2))
    }

    /// The text, cut when it is too long: after its last whole sentence if that keeps at least half, else at a
    /// word, with "…".
    func excerpt(of text: String) -> String {
        let trimmed = text.trimmingBlanks
        guard trimmed.count > maxCharactersPerPassage else { return trimmed }
        let cut = trimmed.prefix(maxCharactersPerPassage)
        if let end = cut.lastIndex(where: { ".!?".contains($0) }),
           cut.distance(from: cut.startIndex, to: end) >= maxCharactersPerPassage / 2 {
            return String(cut[...end]) + " …"
        }
        if let space = cut.lastIndex(where: { $0 == " " || $0 == "\n" }) { return cut[..<space] + "…" }
        return cut + "…"
    }

    /// Every line as a markdown block quote.
    func quote(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? ">" : "> " + $0 }
            .joined(separator: "\n")
    }

    /// The answer in word-sized pieces, so it streams into the page like a model's.
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = [], current = ""
        for character in text {
            current.append(character)
            if character == " " || character == "\n" {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
