// Citation markers in an answer's text: `[2]`, `[1][3]`, `[1, 3]`, the numbers of the passages a claim came from.
//
// A marker is found in the text of the tree cmark parsed (`CMarkDocument.linkCitations`), never in code spans, code
// blocks or a link's own text, so `a[1]` in code stays code. It must not follow a letter, a digit or `_` (`list[1]`
// in prose is an index, not a citation). Each number that names a passage becomes a link to it, written `[n]`; a
// number that names none is dropped, with the space before the marker when nothing of it is left. While an answer
// streams, a marker still arriving (`[`, `[1`, `[1,`) is held back (`Markdown.Citations.pendingStart`), so it never
// shows as text and then jumps into a link.
extension Markdown {
    /// The passages an answer's numbers may name: number `n` names `links[n - 1]`.
    public struct Citations: Sendable, Equatable {
        /// Where a citation number leads.
        public struct Link: Sendable, Equatable {
            /// The address the citation opens.
            public var address: String
            /// What it says on hover: the passage's document, heading and page.
            public var title: String

            public init(address: String, title: String) {
                self.address = address
                self.title = title
            }
        }

        /// The passages, in the order the answerer numbered them (from 1).
        public var links: [Link]

        public init(links: [Link]) {
            self.links = links
        }

        /// The most digits a citation number has.
        static let maxDigits = 3

        /// One marker found in a text: its byte range and its numbers, in order.
        struct Marker: Equatable {
            var range: Range<Int>
            var numbers: [Int]
        }

        /// The markers in `text` (UTF-8 bytes of a text node): `[` numbers from 1 to 999 separated by `,` and spaces
        /// `]`, not right after a letter, digit or `_`.
        static func markers(in text: [UInt8]) -> [Marker] {
            var markers: [Marker] = []
            var index = 0
            while index < text.count {
                if text[index] == UInt8(ascii: "["), index == 0 || !isWordByte(text[index - 1]),
                   let (numbers, end) = numbers(in: text, from: index + 1) {
                    markers.append(Marker(range: index..<end, numbers: numbers))
                    index = end
                } else {
                    index += 1
                }
            }
            return markers
        }

        /// The numbers of a marker whose `[` is just before `start`, and the offset after its `]`; nil when the bytes
        /// there are not a whole marker.
        private static func numbers(in text: [UInt8], from start: Int) -> (numbers: [Int], end: Int)? {
            var numbers: [Int] = [], index = start
            while true {
                var value = 0, digits = 0
                while index < text.count, isDigit(text[index]), digits < maxDigits {
                    value = value * 10 + Int(text[index] - UInt8(ascii: "0"))
                    digits += 1
                    index += 1
                }
                guard digits > 0, value > 0, index < text.count, !isDigit(text[index]) else { return nil }
                numbers.append(value)
                if text[index] == UInt8(ascii: "]") { return (numbers, index + 1) }
                guard text[index] == UInt8(ascii: ",") else { return nil }
                index += 1
                while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
            }
        }

        /// Where a marker that may still be arriving starts in `text`, the end of a streaming answer: a `[` not right
        /// after a letter, digit or `_`, followed to the end only by what a marker holds (digits, `,` and spaces, at
        /// most 24 bytes); nil when the text does not end so.
        public static func pendingStart(in text: String) -> String.Index? {
            let bytes = text.utf8
            var index = bytes.endIndex, scanned = 0
            while index > bytes.startIndex, scanned <= 24 {
                let before = bytes.index(before: index)
                let byte = bytes[before]
                if byte == UInt8(ascii: "[") {
                    let previous = before > bytes.startIndex ? bytes[bytes.index(before: before)] : UInt8(ascii: " ")
                    return isWordByte(previous) ? nil : before
                }
                guard isDigit(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") else { return nil }
                index = before
                scanned += 1
            }
            return nil
        }

        /// The numbers cited in `html`, an answer rendered with these citations: those whose address a link has
        /// (the addresses are the server's own, which cmark writes unchanged).
        public func cited(in html: String) -> Set<Int> {
            var cited = Set<Int>()
            for (offset, link) in links.enumerated() where html.contains("href=\"\(link.address)\"") {
                cited.insert(offset + 1)
            }
            return cited
        }

        private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        private static func isWordByte(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
        }
    }
}
