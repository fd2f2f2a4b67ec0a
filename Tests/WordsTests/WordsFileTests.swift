import Testing
import Words
import WordsFormat

@Suite struct WordsFileTests {
    /// Every language's file parses, has every key English has and no other, and uses only the placeholders
    /// English gives its text (a language may leave one out, as German leaves out the retry's English reason).
    /// A new file in Resources/words/ is checked here without a change to this test.
    @Test(arguments: Language.all)
    func everyLanguageHasEveryWord(language: Language) throws {
        let files = Dictionary(uniqueKeysWithValues: Language.files.map { ($0.language, $0.file) })
        let english = try #require(try files[.english]?.get())
        let file = try #require(try files[language]?.get())
        let missing = english.keys.filter { file.texts[$0] == nil }
        let unknown = file.keys.filter { english.texts[$0] == nil }
        #expect(missing.isEmpty, "words/\(language).txt has no text for \(missing)")
        #expect(unknown.isEmpty, "words/\(language).txt has keys English has not: \(unknown)")
        for key in file.keys {
            guard let source = english.texts[key], let text = file.texts[key] else { continue }
            let extra = Set(WordsFile.placeholders(in: text)).subtracting(WordsFile.placeholders(in: source))
            #expect(extra.isEmpty, "words/\(language).txt: “\(key)” has placeholders English has not: \(extra)")
        }
        if language != .english {
            let same = file.keys.filter { file.texts[$0] == english.texts[$0] && !["page.conversations", "page.conversation"].contains($0) }
            #expect(same.count < file.keys.count / 4, "words/\(language).txt leaves much in English: \(same)")
        }
    }

    @Test func swiftNamesEveryKeyOfEnglish() throws {
        let english = try #require(try Language.files.first { $0.language == .english }?.file.get())
        #expect(Word.allCases.map(\.rawValue) == english.keys)
    }

    @Test func wordsFallBackToEnglishAndFillPlaceholders() {
        let german = Words(Language("de")!)
        #expect(german[.pageSend] == "Senden")
        #expect(german(.stepFound, ("count", "3")) == "3 relevante Quellen gefunden")
        #expect(Words.english(.stepSearchingFor, ("query", "a {count} b")) == "Searching for “a {count} b”")
    }

    /// Lines of a words file and what parsing them gives.
    @Test(arguments: [
        ("a.b = Text", ["a.b": "Text"]),
        ("# comment\n\n  a = x = y  \r\n", ["a": "x = y"]),
        ("a-b.c = {n} more", ["a-b.c": "{n} more"]),
    ])
    func parses(text: String, expected: [String: String]) throws {
        #expect(try WordsFile(parsing: text).texts == expected)
    }

    @Test(arguments: [
        ("no equals sign", 1),
        ("a = x\nA = y", 2),
        ("a = x\n\na = y", 3),
        ("a =   ", 1),
        (" = text", 1),
    ])
    func refuses(text: String, line: Int) {
        #expect(throws: WordsFile.Problem.self) { try WordsFile(parsing: text) }
        do throws(WordsFile.Problem) { _ = try WordsFile(parsing: text) } catch { #expect(error.line == line) }
    }
}
