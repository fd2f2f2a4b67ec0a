// A language's words, as the server puts them into pages, envelopes and stored thinking steps. A word the
// language's file leaves out is said in English. The texts are plain text: whoever puts one into HTML escapes it.

/// The words of one language.
public struct Words: Sendable, Equatable {
    /// The language they are in.
    public let language: Language
    private let texts: [String: String]
    private let english: [String: String]

    /// The words of `language`.
    public init(_ language: Language) {
        self.language = language
        texts = Vocabulary.table[language.code] ?? [:]
        english = Vocabulary.table[Language.english.code] ?? [:]
    }

    /// English, the words of anything that has no visitor (the terminal, the log).
    public static let english = Words(.english)

    /// The text of `word`, `{name}` placeholders as written.
    public subscript(_ word: Word) -> String {
        texts[word.rawValue] ?? english[word.rawValue] ?? word.rawValue
    }

    /// The text of `word` with each `{name}` of `values` filled in.
    public func callAsFunction(_ word: Word, _ values: (name: String, value: String)...) -> String {
        var text = self[word]
        for (name, value) in values {
            text = text.replacing("{\(name)}", with: value)
        }
        return text
    }

    /// The text of the word whose key is `key` (a `{{word:KEY}}` of the shell or stylesheet); nil for no such word.
    public func text(forKey key: String) -> String? { Word(rawValue: key).map { self[$0] } }

    public static func == (lhs: Words, rhs: Words) -> Bool { lhs.language == rhs.language }
}
