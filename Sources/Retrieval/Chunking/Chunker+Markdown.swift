// Markdown (CommonMark with GFM tables) into headings and whole blocks, kept as Markdown.
//
// One pass over the lines. At each line the reader asks, in CommonMark's order of precedence, whether it opens a
// fenced code block, an ATX heading, a setext underline (under an open paragraph), a thematic break, a list, a block
// quote, a table or an indented code block; otherwise it belongs to the open paragraph. Each construct consumes its
// lines and returns the next line, so a `#` inside a fence or a list is never taken for a heading.

extension Chunker {
    struct MarkdownReader {
        private let lines: Lines
        private var elements: [Element] = []
        private var paragraphStart: Int?

        init(_ text: [UInt8]) {
            lines = Lines(text)
        }

        mutating func read() -> [Element] {
            var line = frontMatterEnd()
            while line < lines.count {
                if lines.isBlank(line) {
                    endParagraph(at: line)
                    line += 1
                    continue
                }
                let content = lines.content(line)
                if lines.indent(line) >= 4 {
                    if paragraphStart == nil {
                        line = indentedCode(from: line)
                    } else {
                        line += 1
                    }
                    continue
                }
                if let fence = Self.fence(content) {
                    endParagraph(at: line)
                    line = fencedCode(from: line, fence: fence)
                } else if let heading = Self.atxHeading(content) {
                    endParagraph(at: line)
                    if !heading.text.isEmpty { elements.append(.heading(level: heading.level, text: heading.text)) }
                    line += 1
                } else if let start = paragraphStart, let level = Self.setextLevel(content),
                          lines.span(start, line).count <= 300 {  // a longer "heading" is a paragraph and a rule
                    let text = Self.plainHeading(lines.span(start, line))
                    paragraphStart = nil
                    if !text.isEmpty { elements.append(.heading(level: level, text: text)) }
                    line += 1
                } else if Self.isThematicBreak(content) {
                    endParagraph(at: line)
                    line += 1
                } else if Self.listMarker(content, interrupting: paragraphStart != nil) {
                    endParagraph(at: line)
                    line = list(from: line)
                } else if content.first == UInt8(ascii: ">") {
                    endParagraph(at: line)
                    line = blockQuote(from: line)
                } else if isTableStart(line) {
                    endParagraph(at: line)
                    line = table(from: line)
                } else {
                    if paragraphStart == nil { paragraphStart = line }
                    line += 1
                }
            }
            endParagraph(at: lines.count)
            return elements
        }

        private mutating func endParagraph(at line: Int) {
            guard let start = paragraphStart else { return }
            paragraphStart = nil
            let text = lines.span(start, line)
            if text.starts(with: "<!--".utf8), text.reversed().starts(with: ">--".utf8) { return }  // a comment
            emit(.prose, from: start, to: line)
        }

        private mutating func emit(_ kind: BlockKind, from start: Int, to end: Int, isFenced: Bool = false) {
            if let block = Block(kind, lines.span(start, end), isFenced: isFenced) { elements.append(.block(block)) }
        }

        /// A YAML front matter block (`---` … `---` or `...`) is metadata, not text: skip it.
        private func frontMatterEnd() -> Int {
            guard lines.count > 2, lines[0].elementsEqual("---".utf8), lines[1].contains(UInt8(ascii: ":")) else {
                return 0
            }
            for line in 1..<lines.count {
                let content = lines[line]
                if content.elementsEqual("---".utf8) || content.elementsEqual("...".utf8) { return line + 1 }
            }
            return 0
        }

        // MARK: Blocks

        private mutating func fencedCode(from start: Int, fence: (marker: UInt8, length: Int)) -> Int {
            var line = start + 1
            while line < lines.count {
                defer { line += 1 }
                guard lines.indent(line) < 4 else { continue }
                let content = lines.content(line)
                if content.count >= fence.length, content.allSatisfy({ $0 == fence.marker }) {
                    emit(.code, from: start, to: line + 1, isFenced: true)
                    return line + 1
                }
            }
            emit(.code, from: start, to: lines.count, isFenced: true)
            return lines.count
        }

        private mutating func indentedCode(from start: Int) -> Int {
            var line = start
            var end = start
            while line < lines.count, lines.isBlank(line) || lines.indent(line) >= 4 {
                if !lines.isBlank(line) { end = line + 1 }
                line += 1
            }
            emit(.code, from: start, to: end)
            return end
        }

        /// Items, their continuation lines (indented or lazy), nested lists and the fences inside them, and the
        /// blank lines between items.
        private mutating func list(from start: Int) -> Int {
            var line = start + 1
            var fence: (marker: UInt8, length: Int)?
            while line < lines.count {
                let content = lines.content(line)
                if let open = fence {
                    if content.count >= open.length, content.allSatisfy({ $0 == open.marker }) { fence = nil }
                    line += 1
                    continue
                }
                if lines.isBlank(line) {
                    let next = lines.nextNonBlank(line)
                    guard next < lines.count,
                          lines.indent(next) >= 2 || Self.listMarker(lines.content(next), interrupting: false)
                    else { break }
                    line = next
                    continue
                }
                let indent = lines.indent(line)
                if indent >= 2 {
                    fence = Self.fence(content)
                } else if Self.listMarker(content, interrupting: false) {
                    // another item
                } else if Self.fence(content) != nil || Self.atxHeading(content) != nil || Self.isThematicBreak(content)
                    || content.first == UInt8(ascii: ">") || isTableStart(line) || Self.setextLevel(content) != nil {
                    break
                }
                line += 1
            }
            emit(.list, from: start, to: line)
            return line
        }

        private mutating func blockQuote(from start: Int) -> Int {
            var line = start + 1
            while line < lines.count, !lines.isBlank(line) { line += 1 }
            emit(.prose, from: start, to: line)
            return line
        }

        private mutating func table(from start: Int) -> Int {
            var line = start + 2
            while line < lines.count, !lines.isBlank(line), lines[line].contains(UInt8(ascii: "|")) { line += 1 }
            emit(.table, from: start, to: line)
            return line
        }

        // MARK: Line tests

        /// A header row with `|` followed by a delimiter row such as `| --- | :-: |`.
        private func isTableStart(_ line: Int) -> Bool {
            guard line + 1 < lines.count, lines[line].contains(UInt8(ascii: "|")) else { return false }
            let delimiter = lines.content(line + 1)
            return delimiter.contains(UInt8(ascii: "-"))
                && (delimiter.contains(UInt8(ascii: "|")) || delimiter.contains(UInt8(ascii: ":")))
                && delimiter.allSatisfy { "|-: \t".utf8.contains($0) }
        }

        /// An opening fence: three or more backticks (with no backtick in the info string) or tildes.
        static func fence(_ content: ArraySlice<UInt8>) -> (marker: UInt8, length: Int)? {
            guard let marker = content.first, marker == UInt8(ascii: "`") || marker == UInt8(ascii: "~") else {
                return nil
            }
            let length = content.prefix { $0 == marker }.count
            guard length >= 3 else { return nil }
            if marker == UInt8(ascii: "`"), content.dropFirst(length).contains(marker) { return nil }
            return (marker, length)
        }

        /// `#` to `######` then a space or the end of the line; the text loses any closing `#` sequence.
        static func atxHeading(_ content: ArraySlice<UInt8>) -> (level: Int, text: String)? {
            let level = content.prefix { $0 == UInt8(ascii: "#") }.count
            guard (1...6).contains(level) else { return nil }
            var text = content.dropFirst(level)
            guard text.isEmpty || UTF8Text.isBlank(text.first!) else { return nil }
            var end = text.endIndex
            while end > text.startIndex, text[end - 1] == UInt8(ascii: "#") { end -= 1 }
            if end == text.startIndex || UTF8Text.isBlank(text[end - 1]) { text = text[..<end] }
            return (level, plainHeading(text))
        }

        /// A heading as plain text for paths and titles: links and images become their text, code spans and
        /// emphasis lose their markers (an underscore inside a word stays), inline HTML tags go.
        static func plainHeading(_ text: ArraySlice<UInt8>) -> String {
            var output: [UInt8] = []
            output.reserveCapacity(text.count)
            var index = text.startIndex
            var linkTextEnd: Int?
            var linkEnd = 0
            while index < text.endIndex {
                let byte = text[index]
                if index == linkTextEnd {
                    linkTextEnd = nil
                    index = linkEnd
                    continue
                }
                switch byte {
                case UInt8(ascii: "\\") where index + 1 < text.endIndex && Self.escapable.contains(text[index + 1]):
                    // A backslash escape is the character itself: `\<b\>` is the text "<b>", not a tag.
                    output.append(text[index + 1])
                    index += 2
                    continue
                case UInt8(ascii: "`"), UInt8(ascii: "*"):
                    break
                case UInt8(ascii: "_"):
                    let before = index > text.startIndex && UTF8Text.isAlphanumeric(text[index - 1])
                    let after = index + 1 < text.endIndex && UTF8Text.isAlphanumeric(text[index + 1])
                    if before && after { output.append(byte) }
                case UInt8(ascii: "!") where index + 1 < text.endIndex && text[index + 1] == UInt8(ascii: "["):
                    break
                case UInt8(ascii: "[") where linkTextEnd == nil:
                    if let close = text[index...].firstIndex(of: UInt8(ascii: "]")), close + 1 < text.endIndex,
                       text[close + 1] == UInt8(ascii: "("),
                       let end = text[close...].firstIndex(of: UInt8(ascii: ")")) {
                        linkTextEnd = close
                        linkEnd = end + 1
                    } else {
                        output.append(byte)
                    }
                case UInt8(ascii: "<") where index + 1 < text.endIndex
                    && (HTMLReader.isLetter(text[index + 1]) || text[index + 1] == UInt8(ascii: "/")):
                    if let end = text[index...].firstIndex(of: UInt8(ascii: ">")) {
                        index = end + 1
                        continue
                    }
                    output.append(byte)
                default:
                    output.append(byte)
                }
                index += 1
            }
            return UTF8Text.headingText(output)
        }

        /// The ASCII punctuation a backslash escapes in CommonMark.
        static let escapable = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".utf8)

        /// `===` makes a level-1 heading of the paragraph above, `---` a level-2 one.
        static func setextLevel(_ content: ArraySlice<UInt8>) -> Int? {
            guard let marker = content.first, marker == UInt8(ascii: "=") || marker == UInt8(ascii: "-"),
                  content.allSatisfy({ $0 == marker })
            else { return nil }
            return marker == UInt8(ascii: "=") ? 1 : 2
        }

        static func isThematicBreak(_ content: ArraySlice<UInt8>) -> Bool {
            guard let marker = content.first, "-*_".utf8.contains(marker) else { return false }
            var count = 0
            for byte in content {
                if byte == marker {
                    count += 1
                } else if !UTF8Text.isBlank(byte) {
                    return false
                }
            }
            return count >= 3
        }

        /// `-`, `*`, `+` or `1.`/`1)` then a space (or the end of the line). Interrupting a paragraph, an item must
        /// have text and an ordered one must start at 1, as in CommonMark.
        static func listMarker(_ content: ArraySlice<UInt8>, interrupting: Bool) -> Bool {
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
                if interrupting, !digits.elementsEqual("1".utf8) { return false }
                rest = rest.dropFirst()
            }
            guard let next = rest.first else { return !interrupting }
            return UTF8Text.isBlank(next)
        }
    }
}
