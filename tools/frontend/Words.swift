// The page's words at build time, from Resources/words/<code>.txt (the format: WordsFormat): the shell is made once
// per language, its {{word:KEY}} replaced by the language's text (escaped, English where the language has none) and
// {{language}} by its code; the stylesheet's {{word:KEY}} become custom properties (`var(--word-page-copy)`) that a
// rule per language sets on `:root:lang(xx)`, so the Copy button's words follow `<html lang>` and the script ships
// no dictionary. A words file that does not parse, or names a key English has not, stops the build.
import GeneratorSupport
import TurboStream
import WordsFormat
#if canImport(Glibc)
import Glibc
#endif

/// Every language's words, English first: its code and its texts (English's where it has none).
struct BuildWords {
    let languages: [(code: String, texts: [String: String])]

    init(folder: String) throws {
        guard let dir = opendir(folder) else { throw BuildError(description: "cannot read \(folder)") }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".txt") { names.append(name) }
        }
        closedir(dir)
        var files: [String: WordsFile] = [:]
        for name in names {
            do {
                files[String(name.dropLast(4))] = try WordsFile(parsing: try readFile("\(folder)/\(name)"))
            } catch let problem as WordsFile.Problem {
                throw BuildError(description: "words/\(name): \(problem)")
            }
        }
        guard let english = files.removeValue(forKey: "en") else { throw BuildError(description: "words/en.txt is missing") }
        var languages = [(code: "en", texts: english.texts)]
        for (code, file) in files.sorted(by: { $0.key < $1.key }) {
            if let unknown = file.keys.first(where: { english.texts[$0] == nil }) {
                throw BuildError(description: "words/\(code).txt: “\(unknown)” is not a key of words/en.txt")
            }
            languages.append((code, english.texts.merging(file.texts) { $1 }))
        }
        self.languages = languages
    }

    /// `text` with every {{word:KEY}} replaced by the language's text, HTML-escaped, and {{language}} by its code.
    static func putIn(_ text: String, _ language: (code: String, texts: [String: String]), file: String) throws -> String {
        var out = ""
        var rest = Substring(text.replacing("{{language}}", with: language.code))
        while let match = rest.firstMatch(of: /\{\{word:([a-z0-9.\-]+)\}\}/) {
            out += rest[..<match.range.lowerBound]
            guard let value = language.texts[String(match.output.1)] else {
                throw BuildError(description: "\(file): {{word:\(match.output.1)}} is not a key of words/en.txt")
            }
            out += HTML.escape(value)
            rest = rest[match.range.upperBound...]
        }
        return out + rest
    }

    /// The stylesheet with each {{word:KEY}} as `var(--word-KEY)`, and the rules that give those properties their
    /// text in every language appended (English on `:root`, each other language on `:root:lang(xx)`).
    func customProperties(in css: String, file: String) throws -> String {
        var out = ""
        var keys: [String] = []
        var rest = Substring(css)
        while let match = rest.firstMatch(of: /\{\{word:([a-z0-9.\-]+)\}\}/) {
            let key = String(match.output.1)
            guard languages[0].texts[key] != nil else {
                throw BuildError(description: "\(file): {{word:\(key)}} is not a key of words/en.txt")
            }
            if !keys.contains(key) { keys.append(key) }
            out += rest[..<match.range.lowerBound] + "var(\(Self.property(key)))"
            rest = rest[match.range.upperBound...]
        }
        out += rest
        guard !keys.isEmpty else { return out }
        for language in languages {
            let selector = language.code == "en" ? ":root" : ":root:lang(\(language.code))"
            let values = keys.map { "\(Self.property($0)): \(Self.cssString(language.texts[$0]!));" }.joined(separator: " ")
            out += "\n\(selector) { \(values) }\n"
        }
        return out
    }

    private static func property(_ key: String) -> String { "--word-" + key.replacing(".", with: "-") }

    /// A CSS string literal: quotes and backslashes escaped (a words file holds no line breaks).
    private static func cssString(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
