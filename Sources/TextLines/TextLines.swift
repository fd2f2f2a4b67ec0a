// Line-based text, read the same way everywhere: trimming the blanks around a value, and files of `key = value`
// lines (the settings file, `Sources/quarry/ConfigFile.swift`, and the words files, `Sources/WordsFormat`). Each
// caller checks its own keys and values; this only finds them.

extension StringProtocol {
    /// Without spaces, tabs and carriage returns at either end: a header's or a setting's value.
    public var trimmingBlanks: String { trimming { $0 == " " || $0 == "\t" || $0 == "\r" } }

    /// Without spaces, tabs and line breaks at either end: a question as typed.
    public var trimmingBlanksAndLineBreaks: String {
        trimming { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
    }

    /// Without the characters `blank` names at either end.
    public func trimming(_ blank: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}

/// One `key = value` line: its number in the file (from 1), the key and the value, each without the blanks around.
public struct KeyValueLine: Sendable, Equatable {
    public let number: Int
    public let key: String
    public let value: String
}

/// A line of a `key = value` file that is neither a comment, a blank nor `key = value`.
public struct NotKeyValue: Error, Equatable {
    /// Its number in the file, from 1.
    public let line: Int
}

extension KeyValueLine {
    /// The `key = value` lines of `text`, in order. Lines may end in any line break (a file written on Windows
    /// reads the same); blank lines and lines starting with one of `comments` are skipped; the value is everything
    /// after the first `=`.
    public static func lines(of text: String, comments: Set<Character> = ["#"]) throws(NotKeyValue) -> [KeyValueLine] {
        var found: [KeyValueLine] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingBlanks
            if line.isEmpty || comments.contains(line.first!) { continue }
            guard let equals = line.firstIndex(of: "=") else { throw NotKeyValue(line: index + 1) }
            found.append(KeyValueLine(number: index + 1, key: line[..<equals].trimmingBlanks,
                                      value: line[line.index(after: equals)...].trimmingBlanks))
        }
        return found
    }
}
