// Where the HTML reader puts text (decoded by libxml2): lines and blocks, with the whitespace rules of rendered HTML.
//
// Outside `<pre>`, runs of whitespace collapse to one space and vanish at line ends. Block elements end the line and,
// outside containers, the block. Lists, tables and `<pre>` are containers: everything inside one outermost container
// is one block (a list with "- " items, a table with " | " between cells, code with its whitespace), so a list or a
// table stays whole. A heading is captured on its own and becomes a heading element.

extension Chunker {
    struct HTMLTextWriter {
        enum Container { case list, table, pre }

        private(set) var elements: [Element] = []
        private var block: [UInt8] = []
        private var kind = BlockKind.prose
        private var containers: [Container] = []
        /// How many lists, tables and `<pre>` are open among `containers` (counted, so deep nesting stays linear).
        private var listDepth = 0
        private var tableDepth = 0
        private var preDepth = 0
        /// Inside `<pre>`, the newline right after the start tag is not content.
        private var skipsNewline = false
        private var lineHasText = false
        private var pendingSpace = false
        private var pendingCellSeparator = false
        /// Written before the first text of the line: a list item's indentation and "- ".
        private var linePrefix: [UInt8] = []
        private var keepsWithNext = false
        private var heading: (level: Int, text: [UInt8])?

        init() {
            block.reserveCapacity(4096)
        }

        // MARK: Text

        /// Appends a run of decoded text. Outside `<pre>` and headings, whitespace collapses to one space between
        /// words; no-break and thin spaces are spaces, and soft hyphens vanish.
        mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
            if heading != nil || preDepth > 0 {
                raw(bytes)
                return
            }
            let count = bytes.count
            var index = 0
            while index < count {
                let byte = bytes[index]
                if UTF8Text.isSpace(byte) {
                    pendingSpace = lineHasText
                    index += 1
                    continue
                }
                if byte >= 0xC2, let (width, isSpace) = Self.special(bytes, at: index) {
                    if isSpace { pendingSpace = lineHasText }
                    index += width
                    continue
                }
                var end = index + 1
                while end < count {
                    let next = bytes[end]
                    if UTF8Text.isSpace(next) || (next >= 0xC2 && Self.special(bytes, at: end) != nil) { break }
                    end += 1
                }
                beginWord()
                block.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
            }
        }

        /// The characters that are not written as they are: a space of another width (no-break U+00A0, thin
        /// U+2009, narrow no-break U+202F) or a soft hyphen (U+00AD); their width in bytes.
        @inline(__always) private static func special(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int)
            -> (width: Int, isSpace: Bool)?
        {
            let byte = bytes[index]
            if byte == 0xC2, index + 1 < bytes.count {
                if bytes[index + 1] == 0xA0 { return (2, true) }
                if bytes[index + 1] == 0xAD { return (2, false) }
            } else if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
                      bytes[index + 2] == 0x89 || bytes[index + 2] == 0xAF {
                return (3, true)
            }
            return nil
        }

        /// Appends text as it is (code, a heading's text), with other spaces as spaces and soft hyphens dropped.
        private mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard !bytes.isEmpty else { return }
            if heading != nil {
                Self.appendPlain(bytes, to: &heading!.text)
                if heading!.text.count > Self.longestHeading { demoteHeading() }
                return
            }
            var slice = bytes[...]
            if skipsNewline {
                skipsNewline = false
                if slice.first == UTF8Text.newline { slice = slice.dropFirst() }
            }
            if !lineHasText, !linePrefix.isEmpty, slice.contains(where: { !UTF8Text.isSpace($0) }) {
                block.append(contentsOf: linePrefix)
                linePrefix.removeAll()
            }
            Self.appendPlain(UnsafeBufferPointer(rebasing: slice), to: &block)
            lineHasText = block.last.map { $0 != UTF8Text.newline } ?? false
        }

        private static func appendPlain(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
            var start = 0
            var index = 0
            while index < bytes.count {
                if bytes[index] >= 0xC2, let (width, isSpace) = special(bytes, at: index) {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    if isSpace { output.append(UTF8Text.space) }
                    index += width
                    start = index
                } else {
                    index += 1
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }

        @inline(__always) private mutating func beginWord() {
            if !lineHasText {
                if !linePrefix.isEmpty {
                    block.append(contentsOf: linePrefix)
                    linePrefix.removeAll()
                }
                lineHasText = true
            } else if pendingCellSeparator {
                block.append(contentsOf: [UTF8Text.space, UInt8(ascii: "|"), UTF8Text.space])
            } else if pendingSpace {
                block.append(UTF8Text.space)
            }
            pendingSpace = false
            pendingCellSeparator = false
        }

        // MARK: Structure

        /// Ends the current line (a space in a heading).
        mutating func lineBreak() {
            if heading != nil {
                heading!.text.append(UTF8Text.space)
                return
            }
            if lineHasText { block.append(UTF8Text.newline) }
            lineHasText = false
            pendingSpace = false
            pendingCellSeparator = false
        }

        /// `<br>`: a newline, except inside a table cell, where it is a space.
        mutating func lineBreakElement() {
            if preDepth > 0, heading == nil {
                [UTF8Text.newline].withUnsafeBufferPointer { raw($0) }
            } else if containers.last == .table {
                pendingSpace = lineHasText
            } else {
                lineBreak()
            }
        }

        /// A block element starts or ends: the block ends, or inside a container the line (a space in a table).
        mutating func blockBreak() {
            endHeading()
            switch containers.last {
            case nil: flushBlock()
            case .table: pendingSpace = lineHasText
            case .list, .pre: lineBreak()
            }
        }

        /// The end of a `<dt>`: the term is kept with the definition after it.
        mutating func endTerm() {
            endHeading()
            if containers.isEmpty { flushBlock(keepWithNext: true) } else { lineBreak() }
        }

        /// Keeps the block being written with the next one (an admonition's title).
        mutating func keepWithNext() { keepsWithNext = true }

        mutating func openContainer(_ container: Container) {
            endHeading()
            if containers.isEmpty {
                flushBlock()
                switch container {
                case .list: kind = .list
                case .table: kind = .table
                case .pre: kind = .code
                }
            } else {
                lineBreak()
            }
            containers.append(container)
            count(container, by: 1)
            if container == .pre { skipsNewline = true }
        }

        /// Closes the innermost open container of this sort and those inside it; a stray end tag is ignored.
        mutating func closeContainer(_ container: Container) {
            endHeading()
            guard depth(of: container) > 0, let index = containers.lastIndex(of: container) else { return }
            for closed in containers[index...] { count(closed, by: -1) }
            containers.removeSubrange(index...)
            lineBreak()
            if containers.isEmpty { flushBlock() }
        }

        private mutating func count(_ container: Container, by change: Int) {
            switch container {
            case .list: listDepth += change
            case .pre: preDepth += change
            case .table: tableDepth += change
            }
        }

        private func depth(of container: Container) -> Int {
            switch container {
            case .list: listDepth
            case .pre: preDepth
            case .table: tableDepth
            }
        }

        mutating func listItem() {
            endHeading()
            lineBreak()
            // Indentation shows nesting; past ten levels it would only cost (and nesting can be unbounded).
            let indent = 2 * min(max(0, listDepth - 1), 10)
            linePrefix = Array(repeating: UTF8Text.space, count: indent) + [UInt8(ascii: "-"), UTF8Text.space]
        }

        mutating func tableCell() {
            if lineHasText { pendingCellSeparator = true }
        }

        mutating func beginHeading(level: Int) {
            endHeading()
            flushBlock()
            heading = (level, [])
        }

        /// Past this many bytes a "heading" (an unclosed `<h2>` before a whole page) is taken for text.
        static let longestHeading = 1000

        private mutating func demoteHeading() {
            guard let captured = heading else { return }
            heading = nil
            captured.text.withUnsafeBufferPointer { text($0) }
        }

        mutating func endHeading() {
            guard let captured = heading else { return }
            heading = nil
            let title = UTF8Text.headingText(captured.text)
            if !title.isEmpty { elements.append(.heading(level: captured.level, text: title)) }
        }

        /// Emits the block written so far, if it has text. Outside containers the next block is prose again.
        mutating func flushBlock(keepWithNext: Bool = false) {
            lineBreak()
            linePrefix.removeAll()
            if let done = Block(kind, block[...], keepWithNext: keepWithNext || keepsWithNext) {
                elements.append(.block(done))
            }
            block.removeAll(keepingCapacity: true)
            keepsWithNext = false
            if containers.isEmpty { kind = .prose }
        }

        mutating func finish() {
            endHeading()
            containers.removeAll()
            (listDepth, tableDepth, preDepth) = (0, 0, 0)
            flushBlock()
        }
    }
}
