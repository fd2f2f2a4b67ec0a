// Every language's words, parsed once from the files the build put into the binary (`Vocabulary.files`, written by
// tools/words through the WordsGenerator plugin). The build's front-end generator parses them too and stops on a
// malformed file, so a file that fails here has already failed the build; a test checks that each language has
// every English key and no other.
public import WordsFormat

/// The words of every language, by language code and key.
enum Vocabulary {
    static let table: [String: [String: String]] = {
        var table: [String: [String: String]] = [:]
        for file in Vocabulary.files {
            table[file.language] = (try? WordsFile(parsing: file.text))?.texts ?? [:]
        }
        return table
    }()
}

extension Language {
    /// Each language's words file as built into the binary: its code and its parsed contents (nil when malformed).
    public static var files: [(language: Language, file: Result<WordsFile, WordsFile.Problem>)] {
        Vocabulary.files.map { entry in
            (Language(entry.language) ?? .english, Result { () throws(WordsFile.Problem) in try WordsFile(parsing: entry.text) })
        }
    }
}
