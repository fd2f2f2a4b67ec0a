// How the stand-in cuts text into tokens, roughly as a BPE tokenizer would for English.

enum Tokenizer {
    /// Words longer than this are cut into pieces of `longWordPiece` characters.
    static let longWord = 8
    static let longWordPiece = 6

    /// The pieces of `text`: each word with the whitespace after it, long words cut into several pieces. Their
    /// concatenation is exactly `text`; cuts fall between characters, so each piece is valid UTF-8.
    static func pieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var word: [Character] = []
        var space = ""
        func flush() {
            var rest = word[...]
            while rest.count > longWord {
                pieces.append(String(rest.prefix(longWordPiece)))
                rest = rest.dropFirst(longWordPiece)
            }
            let last = String(rest) + space
            if !last.isEmpty { pieces.append(last) }
            word = []
            space = ""
        }
        for character in text {
            if character.isWhitespace {
                space.append(character)
            } else {
                if !space.isEmpty { flush() }
                word.append(character)
            }
        }
        flush()
        return pieces
    }

    /// The lower-cased words of `text` (runs of letters and digits), for embeddings and token counts.
    static func words(_ text: String) -> [Substring] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }
    }
}
