// The languages the page speaks: one words file each under Resources/words/ (`de.txt` is German), built into the
// binary (the WordsGenerator plugin). English is the fallback for every word a file leaves out.

/// A language the page can speak, named by its words file (`de` for `Resources/words/de.txt`).
public struct Language: Sendable, Hashable, CustomStringConvertible {
    /// The primary language subtag, lower case (`en`, `de`): what `<html lang>` says.
    public let code: String

    /// The language whose words file is `code` (any case); nil when there is none.
    public init?(_ code: String) {
        let lower = code.lowercased()
        guard Vocabulary.table[lower] != nil else { return nil }
        self.code = lower
    }

    private init(known code: String) { self.code = code }

    /// English: every word's source and the fallback.
    public static let english = Language(known: "en")

    /// Every language there is a words file for, English first, then by code.
    public static var all: [Language] {
        [english] + Vocabulary.table.keys.filter { $0 != english.code }.sorted().map(Language.init(known:))
    }

    public var description: String { code }
}
