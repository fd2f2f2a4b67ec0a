// One line of code as the highlighter writes it: plain text escaped as cmark-gfm escapes it, tokens in spans.
extension Markdown {
    /// One line being highlighted: its bytes, and the start of the plain text not yet written.
    struct Line {
        let bytes: [UInt8]
        let start: Int
        let end: Int
        var plain: Int
        /// CSS: the first `{`, `;` or `}` at or after the last position asked about (`beforeBrace`).
        private var delimiter = -1

        init(bytes: [UInt8], start: Int, end: Int, plain: Int) {
            self.bytes = bytes
            self.start = start
            self.end = end
            self.plain = plain
        }

        /// CSS: whether a `{` comes after `index` on this line before any `;` or `}`: a selector's part. Asked at
        /// growing positions, so the line is scanned once.
        mutating func beforeBrace(_ index: Int) -> Bool {
            if index > delimiter {
                delimiter = bytes[index..<end].firstIndex {
                    $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "}")
                } ?? end
            }
            return delimiter < end && bytes[delimiter] == UInt8(ascii: "{")
        }

        /// Writes the plain text before `from`, then `bytes[from..<to]` in a span of `style`.
        mutating func styled(_ style: Style, _ from: Int, _ to: Int, into out: inout [UInt8]) {
            flush(to: from, into: &out)
            out += Self.openTags[Int(style.rawValue)]
            Self.escape(bytes[from..<to], into: &out)
            out += Self.closeTag
            plain = to
        }

        /// Writes the plain text before `index`.
        mutating func flush(to index: Int, into out: inout [UInt8]) {
            if plain < index { Self.escape(bytes[plain..<index], into: &out) }
            plain = max(plain, index)
        }

        /// `text` escaped as cmark-gfm escapes code (`&`, `<`, `>`, `"`), so unstyled code is byte for byte as
        /// cmark wrote it.
        static func escape(_ text: ArraySlice<UInt8>, into out: inout [UInt8]) {
            for byte in text {
                switch byte {
                case UInt8(ascii: "&"): out += "&amp;".utf8
                case UInt8(ascii: "<"): out += "&lt;".utf8
                case UInt8(ascii: ">"): out += "&gt;".utf8
                case UInt8(ascii: "\""): out += "&quot;".utf8
                default: out.append(byte)
                }
            }
        }

        private static let openTags: [[UInt8]] = Style.allCases.map { Array("<span class=\"\($0.className)\">".utf8) }
        private static let closeTag = Array("</span>".utf8)
    }
}
