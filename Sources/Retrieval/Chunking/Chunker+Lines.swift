// The line table the line-based readers (Markdown, reStructuredText, plain text) walk.

extension Chunker {
    /// The lines of a newline-normalised text, as byte ranges without their newline.
    struct Lines {
        let bytes: [UInt8]
        private let ranges: [Range<Int>]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var ranges: [Range<Int>] = []
            var start = 0
            bytes.withUnsafeBufferPointer { buffer in
                for index in 0..<buffer.count where buffer[index] == UTF8Text.newline {
                    ranges.append(start..<index)
                    start = index + 1
                }
            }
            if start < bytes.count { ranges.append(start..<bytes.count) }
            self.ranges = ranges
        }

        var count: Int { ranges.count }

        /// Where the line starts in `bytes`.
        func start(of line: Int) -> Int { ranges[line].lowerBound }

        /// The line's bytes, without its newline.
        subscript(line: Int) -> ArraySlice<UInt8> { bytes[ranges[line]] }

        func isBlank(_ line: Int) -> Bool { self[line].allSatisfy(UTF8Text.isSpace) }

        /// The line's indentation in columns, a tab reaching the next multiple of 4.
        func indent(_ line: Int) -> Int {
            var columns = 0
            for byte in self[line] {
                if byte == UInt8(ascii: " ") {
                    columns += 1
                } else if byte == UInt8(ascii: "\t") {
                    columns += 4 - columns % 4
                } else {
                    break
                }
            }
            return columns
        }

        /// The line without its indentation and trailing whitespace.
        func content(_ line: Int) -> ArraySlice<UInt8> {
            let text = self[line]
            return text[UTF8Text.trimmed(text, text.indices)]
        }

        /// Lines `from..<to`, from the start of the first to the end of the last, with the newlines between them.
        func span(_ from: Int, _ to: Int) -> ArraySlice<UInt8> {
            guard from < to else { return [] }
            return bytes[ranges[from].lowerBound..<ranges[to - 1].upperBound]
        }

        /// The first non-blank line at or after `line`, or `count`.
        func nextNonBlank(_ line: Int) -> Int {
            var next = line
            while next < count, isBlank(next) { next += 1 }
            return next
        }
    }
}

extension Chunker.UTF8Text {
    /// An ASCII letter.
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    /// Whether a line's content starts with a list item's marker: `-`, `*`, `+` or `1.`/`1)` (up to nine digits)
    /// then a space, a tab or the end of the line.
    static func startsWithListMarker(_ content: ArraySlice<UInt8>) -> Bool {
        guard let first = content.first else { return false }
        var rest: ArraySlice<UInt8>
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            rest = content.dropFirst()
        } else {
            let digits = content.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard (1...9).contains(digits.count) else { return false }
            rest = content.dropFirst(digits.count)
            guard let delimiter = rest.first, delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")")
            else { return false }
            rest = rest.dropFirst()
        }
        guard let next = rest.first else { return true }
        return isBlank(next)
    }
}
