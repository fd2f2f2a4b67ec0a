// reStructuredText into headings and whole blocks of text.
//
// One pass over the lines. A section title is a line underlined (or over- and underlined) with a repeated punctuation
// character; as in docutils, each new style (character, and whether it has an overline) met in the document is the
// next level down, so levels follow the order of first appearance; the first section title titles the document, never
// the labels, directives and comments before it. A field list before anything else (`:tocdepth: 2`, `:orphan:`) is
// Sphinx's file-wide metadata, not text. Explicit markup (`.. `) is handled in Chunker+RestructuredTextMarkup.swift;
// roles become their text as Sphinx prints it. A paragraph ending in `::` introduces the indented literal block after
// it, kept as code.

extension Chunker {
    struct RestructuredTextReader {
        let lines: Lines
        var elements: [Element] = []
        private var styles: [(marker: UInt8, overlined: Bool)] = []

        init(_ text: [UInt8]) {
            lines = Lines(text)
        }

        mutating func read() -> [Element] {
            var line = metadataEnd()
            while line < lines.count {
                if lines.isBlank(line) {
                    line += 1
                    continue
                }
                let content = lines.content(line)
                let indent = lines.indent(line)
                if content.first == UInt8(ascii: "."), content.starts(with: "..".utf8),
                   content.count == 2 || UTF8Text.isBlank(content[content.startIndex + 2]) {
                    line = explicitMarkup(from: line)
                } else if content.starts(with: "__ ".utf8) {
                    line = bodyEnd(after: line)
                } else if indent == 0, let marker = Self.adornment(content) {
                    if line + 2 < lines.count, !lines.isBlank(line + 1), lines.indent(line + 2) == 0,
                       Self.adornment(lines.content(line + 2)) == marker {
                        addHeading(lines.content(line + 1), marker: marker, overlined: true)
                        line += 3
                    } else {
                        line += 1  // a transition
                    }
                } else if indent == 0, let marker = underline(below: line) {
                    addHeading(content, marker: marker, overlined: false)
                    line += 2
                } else if Self.isGridTableBorder(content) {
                    line = table(from: line, grid: true)
                } else if Self.isSimpleTableBorder(content) {
                    line = table(from: line, grid: false)
                } else if Self.isListItem(content) {
                    line = list(from: line)
                } else {
                    line = paragraph(from: line)
                }
            }
            return elements
        }

        /// The line after the field list that opens a document before anything else but comments and blank lines
        /// (`:tocdepth: 2`, `:orphan:`): Sphinx's file-wide metadata, never shown. Else 0.
        private func metadataEnd() -> Int {
            var line = lines.nextNonBlank(0)
            // Comments and labels may come first: the main loop reads them again.
            while line < lines.count, lines.indent(line) == 0, lines[line].starts(with: "..".utf8),
                  Self.directiveHeader(lines.content(line).dropFirst(2).drop(while: UTF8Text.isBlank)) == nil {
                line = lines.nextNonBlank(bodyEnd(after: line))
            }
            guard line < lines.count, Self.isField(lines.content(line)) else { return 0 }
            while line < lines.count, Self.isField(lines.content(line)) {
                line = bodyEnd(after: line)
            }
            return line
        }

        /// `:name:` then a space or the end of the line: a field of a field list.
        static func isField(_ content: ArraySlice<UInt8>) -> Bool {
            guard content.first == UInt8(ascii: ":"), let close = content.dropFirst().firstIndex(of: UInt8(ascii: ":")),
                  close > content.startIndex + 1
            else { return false }
            let name = content[(content.startIndex + 1)..<close]
            guard !name.contains(UInt8(ascii: "`")), !UTF8Text.isSpace(name.first!) else { return false }
            return close + 1 == content.endIndex || UTF8Text.isBlank(content[close + 1])
        }

        // MARK: Titles

        /// A line of one repeated punctuation character, at least `minimum` long: a title adornment or a transition.
        static func adornment(_ content: ArraySlice<UInt8>, minimum: Int = 3) -> UInt8? {
            guard content.count >= minimum, let marker = content.first, marker > 0x20, marker < 0x7F,
                  !UTF8Text.isAlphanumeric(marker), content.allSatisfy({ $0 == marker })
            else { return nil }
            return marker
        }

        /// The underline character when the line after `line` underlines it: at least as long as the title, or at
        /// least 4 long (docutils accepts a short underline then, with a warning).
        private func underline(below line: Int) -> UInt8? {
            guard line + 1 < lines.count, lines.indent(line + 1) == 0 else { return nil }
            let under = lines.content(line + 1)
            guard let marker = Self.adornment(under, minimum: 1) else { return nil }
            let title = lines.content(line)
            return under.count >= 4 || under.count >= UTF8Text.scalarCount(title, title.indices) ? marker : nil
        }

        private mutating func addHeading(_ text: ArraySlice<UInt8>, marker: UInt8, overlined: Bool) {
            let level: Int
            if let known = styles.firstIndex(where: { $0.marker == marker && $0.overlined == overlined }) {
                level = known + 1
            } else {
                styles.append((marker, overlined))
                level = styles.count
            }
            let plain = Self.plainText(text).filter { $0 != UInt8(ascii: "`") }
            let title = UTF8Text.headingText(Self.typographicDashes(plain))
            if !title.isEmpty { elements.append(.heading(level: level, text: title)) }
        }

        /// ` --- ` and ` -- ` between words as the em and en dashes Sphinx prints for them (its smart quotes), so a
        /// page's title reads the same from its source as from its HTML.
        static func typographicDashes(_ text: [UInt8]) -> [UInt8] {
            guard text.contains(UInt8(ascii: "-")) else { return text }
            var output: [UInt8] = []
            output.reserveCapacity(text.count)
            var index = 0
            while index < text.count {
                if text[index] == UInt8(ascii: " "), index > 0 {
                    var dashes = 0
                    while index + 1 + dashes < text.count, text[index + 1 + dashes] == UInt8(ascii: "-") { dashes += 1 }
                    let after = index + 1 + dashes
                    if (dashes == 2 || dashes == 3), after < text.count, text[after] == UInt8(ascii: " ") {
                        output.append(UInt8(ascii: " "))
                        output += dashes == 3 ? Array("—".utf8) : Array("–".utf8)
                        index = after
                        continue
                    }
                }
                output.append(text[index])
                index += 1
            }
            return output
        }

        // MARK: Blocks

        /// A paragraph; one ending in `::` keeps its text (the marker reduced as docutils does) and is followed by
        /// the literal block indented under it.
        private mutating func paragraph(from start: Int) -> Int {
            var line = start + 1
            while line < lines.count, !lines.isBlank(line) { line += 1 }
            var text = prose(from: start, to: line)
            guard text.count >= 2, text[text.count - 1] == UInt8(ascii: ":"), text[text.count - 2] == UInt8(ascii: ":")
            else {
                add(.prose, text[...])
                return line
            }
            text.removeLast()
            if text.count == 1 {
                text.removeAll()
            } else if UTF8Text.isSpace(text[text.count - 2]) {
                text.removeLast()
            }
            add(.prose, text[...])
            let base = lines.indent(start)
            let first = lines.nextNonBlank(line)
            guard first < lines.count, lines.indent(first) > base else { return line }
            let end = indentedEnd(from: first, deeperThan: base)
            add(.code, dedented(from: first, to: end)[...])
            return end
        }

        private mutating func list(from start: Int) -> Int {
            let base = lines.indent(start)
            // Deeper lines continue an item; lines at its indentation must start another.
            func continues(_ line: Int) -> Bool {
                lines.indent(line) > base || (lines.indent(line) == base && Self.isListItem(lines.content(line)))
            }
            var line = start + 1
            while line < lines.count {
                if lines.isBlank(line) {
                    let next = lines.nextNonBlank(line)
                    guard next < lines.count, continues(next) else { break }
                    line = next
                } else if continues(line) {
                    line += 1
                } else {
                    break
                }
            }
            add(.list, Self.plainText(dedented(from: start, to: line)[...])[...])
            return line
        }

        /// A grid table (`+---+` and `|` rows) or a simple table (`===  ===` borders), kept as text rows.
        private mutating func table(from start: Int, grid: Bool) -> Int {
            var line = start + 1
            if grid {
                while line < lines.count, !lines.isBlank(line) { line += 1 }
            } else {
                while line < lines.count {
                    defer { line += 1 }
                    let closes = line + 1 == lines.count || lines.isBlank(line + 1)
                    if closes, Self.isSimpleTableBorder(lines.content(line)) { break }
                }
                line = min(line, lines.count)
            }
            add(.table, Self.plainText(dedented(from: start, to: line)[...])[...])
            return line
        }

        // MARK: Helpers

        mutating func add(_ kind: BlockKind, _ bytes: ArraySlice<UInt8>, keepWithNext: Bool = false) {
            if let block = Block(kind, bytes, keepWithNext: keepWithNext) { elements.append(.block(block)) }
        }

        /// Lines `from..<to` with their indentation removed and roles reduced to their text.
        func prose(from start: Int, to end: Int) -> [UInt8] {
            var text: [UInt8] = []
            for line in start..<end {
                if !text.isEmpty { text.append(UTF8Text.newline) }
                text.append(contentsOf: lines.content(line))
            }
            return Self.plainText(text[...])
        }

        /// The first line at or after `line` that is neither blank nor indented deeper than `base`, blank lines
        /// before it excluded.
        func indentedEnd(from line: Int, deeperThan base: Int) -> Int {
            var end = line
            var next = line
            while next < lines.count, lines.isBlank(next) || lines.indent(next) > base {
                if !lines.isBlank(next) { end = next + 1 }
                next += 1
            }
            return end
        }

        /// The first line after `line` that is not part of its indented body.
        func bodyEnd(after line: Int) -> Int {
            indentedEnd(from: line + 1, deeperThan: lines.indent(line))
        }

        /// Lines `from..<to` less their common leading whitespace.
        func dedented(from start: Int, to end: Int) -> [UInt8] {
            var common = Int.max
            for line in start..<end where !lines.isBlank(line) {
                common = min(common, lines[line].prefix(while: UTF8Text.isBlank).count)
            }
            var text: [UInt8] = []
            for line in start..<end {
                if line > start { text.append(UTF8Text.newline) }
                text.append(contentsOf: lines[line].dropFirst(lines.isBlank(line) ? Int.max : common))
            }
            return text
        }

        static func isGridTableBorder(_ content: ArraySlice<UInt8>) -> Bool {
            content.count >= 3 && (content.starts(with: "+-".utf8) || content.starts(with: "+=".utf8))
        }

        /// `=====  =====`: runs of `=` separated by spaces (at least two columns).
        static func isSimpleTableBorder(_ content: ArraySlice<UInt8>) -> Bool {
            guard content.first == UInt8(ascii: "="), content.contains(UInt8(ascii: " ")) else { return false }
            return content.allSatisfy { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: " ") }
        }

        /// `-`, `*`, `+`, `•`, `#.`, `1.`, `1)`, `(1)` followed by a space.
        static func isListItem(_ content: ArraySlice<UInt8>) -> Bool {
            if content.count > 2, UTF8Text.startsWithListMarker(content) { return true }
            if content.starts(with: "• ".utf8) || content.starts(with: "#. ".utf8) { return true }
            guard content.first == UInt8(ascii: "(") else { return false }
            let inside = content.dropFirst().prefix(while: UTF8Text.isAlphanumeric)
            let rest = content.dropFirst(1 + inside.count)
            return (1...3).contains(inside.count) && rest.starts(with: ") ".utf8)
        }
    }
}
