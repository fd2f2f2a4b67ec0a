// Renders a growing text to its top-level blocks, rendering each finished block once.
//
// A top-level block is finished once another starts after it on a whole line (one a line ending follows): cmark
// closes it then, reading line by line, and nothing later in the text changes it, with one exception, a link reference definition (`[x]: url`), which is document-wide and may come
// after the links that use it. So the renderer keeps the HTML of every block but the last, and the source bytes
// they came from, and parses only the text from the last block's first line on: each update costs the open block,
// not the whole answer. A text that holds `]:` anywhere (every definition does) is rendered whole every time. Where
// `Markdown.Limits` cut a table (a blank line put before a row), cmark's line numbers are mapped back. Where the
// positions cmark gives are missing or out of order (the paragraph its table extension splits from above a table's
// header has none), the boundary steps back to a block whose start is certain.
//
// Rendering the tail on its own gives the same blocks as rendering the whole text because it starts at a line
// where cmark started a top-level block with nothing open: no container, fence or paragraph of the kept part
// reaches into it. The table-cell budget is shared: the tail gets what the kept blocks left of it.
extension Markdown {
    /// The blocks of a text that grows between calls, as `Markdown.blocks` renders them, with every top-level block
    /// that has finished rendered only once.
    public struct BlockRenderer: Sendable {
        /// The limits every render keeps within.
        public let limits: Limits
        /// The passages the text's citation markers may name.
        public let citations: Citations?
        /// The HTML of the finished blocks kept.
        private var kept: [String] = []
        /// The source the kept blocks came from: the text up to the first line of the block after them.
        private var keptSource: [UInt8] = []
        /// The table cells counted in `keptSource`.
        private var keptCells = 0
        /// Whether `]:` was seen: from then on every render is whole.
        private var whole = false
        /// The bytes of source parsed so far, over all calls: about the text's length when blocks are kept, and
        /// the sum of every text's when they cannot be.
        public private(set) var parsedBytes = 0

        /// A renderer with nothing kept yet.
        public init(limits: Limits = .standard, citations: Citations? = nil) {
            self.limits = limits
            self.citations = citations
        }

        /// The HTML of each top-level block of `markdown`, in order: equal to `Markdown.blocks(markdown, limits:,
        /// citations:)`
        /// (at the table-cell limit they may differ where a kept block ends just before a line that looks like a
        /// delimiter row: the whole render counts that line as a table, the tail does not).
        /// When `markdown` does not start with the text kept, everything is rendered again.
        public mutating func blocks(_ markdown: String) -> [String] {
            var text = markdown
            return text.withUTF8 { render($0) }
        }

        private mutating func render(_ source: UnsafeBufferPointer<UInt8>) -> [String] {
            if keptSource.count > source.count || !source.prefix(keptSource.count).elementsEqual(keptSource) {
                kept = []
                keptSource = []
                keptCells = 0
            }
            let tail = UnsafeBufferPointer(rebasing: source[keptSource.count...])
            if !whole, tail.containsDefinitionMarker {
                whole = true
                kept = []
                keptSource = []
                keptCells = 0
            }
            let start = keptSource.count
            let tailLimits = Limits(tableColumns: limits.tableColumns, tableCells: max(limits.tableCells - keptCells, 0))
            let (document, _, cutLines) = CMark.parse(UnsafeBufferPointer(rebasing: source[start...]), limits: tailLimits,
                                                          citations: citations)
            parsedBytes += source.count - start
            let rendered = document.blocksAndLines().map {
                (html: $0.html, line: Self.sourceLine($0.line, cutLines: cutLines))
            }
            let blocks = kept + rendered.lazy.map(\.html).filter { !$0.isEmpty }
            // Keep the blocks before the boundary, and the source up to its first line.
            guard !whole, let (boundary, offset) = Self.boundary(rendered, in: tail) else { return blocks }
            let finished = UnsafeBufferPointer(rebasing: tail[..<offset])
            kept += rendered[..<boundary].map(\.html).filter { !$0.isEmpty }
            keptSource += finished
            keptCells += TableBudget.scan(finished, limits: tailLimits).cells
            return blocks
        }

        /// The index of the block from which the next render starts, and the offset of its first line in `text`:
        /// the last block whose line, and the line of the block before it, are known and in order, and whose first
        /// line is whole (a line still being typed may yet be read otherwise: `|` ends a table, `| 1` is its next
        /// row); nil if there is no such block after the first.
        static func boundary(_ blocks: [(html: String, line: Int)], in text: UnsafeBufferPointer<UInt8>)
            -> (index: Int, offset: Int)? {
            // Where the last line ending is: a line starting at or after it is not whole.
            guard let lastEnding = text.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return nil }
            var index = blocks.count - 1
            while index > 0 {
                if blocks[index].line >= 1, blocks[index - 1].line >= 1, blocks[index - 1].line < blocks[index].line {
                    let offset = offset(ofLine: blocks[index].line, in: text)
                    if offset <= lastEnding { return (index, offset) }
                }
                index -= 1
            }
            return nil
        }

        /// The line of the source that is line `line` (0: none) of the text parsed, which has a blank line put
        /// before each of the source's `cutLines` (`TableBudget`).
        static func sourceLine(_ line: Int, cutLines: [Int]) -> Int {
            var shift = 0
            for cut in cutLines {
                // The blank line put before source line `cut` is line `cut + shift` of the text parsed.
                guard line > cut + shift else { break }
                shift += 1
            }
            return line < 1 ? line : line - shift
        }

        /// The byte offset at which line `line` (from 1) of `text` starts, lines ending as cmark ends them (`\n`,
        /// `\r\n`, `\r`); the end of `text` if it has fewer lines.
        static func offset(ofLine line: Int, in text: UnsafeBufferPointer<UInt8>) -> Int {
            var current = 1
            var index = 0
            while current < line, index < text.count {
                if text[index] == 0x0A {
                    current += 1
                } else if text[index] == 0x0D {
                    current += 1
                    if index + 1 < text.count, text[index + 1] == 0x0A { index += 1 }
                }
                index += 1
            }
            return index
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether the bytes hold `]:`, which every link reference definition does.
    var containsDefinitionMarker: Bool {
        var index = 1
        while index < count {
            if self[index] == UInt8(ascii: ":") && self[index - 1] == UInt8(ascii: "]") { return true }
            index += 1
        }
        return false
    }
}
