// The words files' format, read without Foundation:
//
//     # A comment.
//     page.send = Send
//     step.found = Found {count} relevant sources
//
// One `key = text` a line; spaces around the `=` and at the ends are not part of the text; blank lines and lines
// starting with `#` are skipped. `{name}` is filled in by the server (the same names in every language). The text
// is plain text: it is escaped wherever it goes.

internal import TextLines

/// A parsed words file.
public struct WordsFile: Sendable, Equatable {
    /// The texts by key.
    public var texts: [String: String]
    /// Each key in the order the file gives them.
    public var keys: [String]

    /// What is wrong with a words file: its line number and why.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let why: String
        public var description: String { "line \(line): \(why)" }
    }

    /// Parses `text`, stopping at the first line that is not a comment, a blank or `key = text` with a new key.
    public init(parsing text: String) throws(Problem) {
        texts = [:]
        keys = []
        let lines: [KeyValueLine]
        do { lines = try KeyValueLine.lines(of: text) } catch { throw Problem(line: error.line, why: "no “=” between key and text") }
        for line in lines {
            let (number, key, value) = (line.number, line.key, line.value)
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
            else { throw Problem(line: number, why: "the key “\(key)” is not lower-case letters, digits, dots and dashes") }
            guard !value.isEmpty else { throw Problem(line: number, why: "“\(key)” has no text") }
            guard texts[key] == nil else { throw Problem(line: number, why: "“\(key)” is given twice") }
            texts[key] = value
            keys.append(key)
        }
    }

    /// The `{name}` placeholders a text holds, in order.
    public static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
