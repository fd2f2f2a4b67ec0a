// A Markdown document's top-level blocks as cmark-gfm parses them (the same parser, options and extensions as the
// renderer), with the source lines each one spans, so a reader can keep the document's own Markdown while it follows
// the renderer's idea of where blocks and headings are.

extension Markdown {
    /// One top-level block of a Markdown document.
    public struct SourceBlock: Sendable, Equatable {
        /// What cmark-gfm made of the block.
        public enum Kind: Sendable, Equatable {
            /// An ATX (`## Title`) or setext (`Title` over `---`) heading.
            case heading(level: Int)
            case paragraph
            /// A bullet or ordered list, with everything nested in its items.
            case list
            /// A fenced (```` ``` ````, `~~~`) or indented code block.
            case codeBlock(fenced: Bool)
            /// A GFM table.
            case table
            /// A block quote, with everything nested in it.
            case blockQuote
            /// A raw HTML block (an HTML comment is one too).
            case html
            /// `---`, `***`, `___`.
            case thematicBreak
            /// A block of a kind not listed here.
            case other
        }

        /// What the block is.
        public var kind: Kind
        /// A heading's text as a reader sees it: code spans, emphasis, links and images reduced to their text,
        /// escapes and entities resolved, line breaks as spaces, inline HTML left out. Empty for other blocks.
        public var text: String
        /// The lines of the source it spans, counted from 1: from its first line up to the line before the next
        /// block's (or the last line of the source), so blank lines and link reference definitions after it are
        /// included.
        public var lines: ClosedRange<Int>

        /// A block of the given kind, heading text and lines.
        public init(kind: Kind, text: String = "", lines: ClosedRange<Int>) {
            self.kind = kind
            self.text = text
            self.lines = lines
        }
    }

    /// The top-level blocks of `markdown`, in order, as cmark-gfm parses it for `html(_:)`. A link reference
    /// definition is not a block; blocks nested in lists and quotes belong to them.
    ///
    /// Parses once (`cmark_parser_finish`, serialised like every parse; without the `autolink` and `tagfilter`
    /// extensions, which shape neither blocks nor text) and walks the root's children (see `CMark`).
    /// A block's lines run from cmark's start line to the next block's, not to cmark's end line: cmark-gfm 0.29 ends
    /// a setext heading on the line after its underline and an HTML block that closes (`-->`, `</pre>`) on the line
    /// before its last, and its table extension gives the lines above a table's header row, split off as a
    /// paragraph, no position at all: that paragraph starts where cmark says the table does, on as many lines as it
    /// has line breaks, and the table after it.
    public static func sourceBlocks(_ markdown: String) -> [SourceBlock] {
        var text = markdown
        return text.withUTF8 { sourceBlocks(in: $0) }
    }

    /// The top-level blocks of `markdown`, valid UTF-8, as `sourceBlocks(_:)` finds them in a string.
    public static func sourceBlocks(utf8 markdown: ArraySlice<UInt8>) -> [SourceBlock] {
        markdown.withUnsafeBufferPointer { sourceBlocks(in: $0) }
    }

    private static func sourceBlocks(in markdown: UnsafeBufferPointer<UInt8>) -> [SourceBlock] {
        let blocks = CMark.topLevelBlocks(markdown)
        let lastLine = lineCount(markdown)
        var firstLines: [Int] = []
        firstLines.reserveCapacity(blocks.count)
        var index = 0
        while index < blocks.count {
            let previous = firstLines.last ?? 0
            if blocks[index].startLine < 1, blocks[index].kind == .paragraph, index + 1 < blocks.count,
               blocks[index + 1].kind == .table, blocks[index + 1].startLine > previous {
                let paragraph = blocks[index + 1].startLine
                firstLines += [paragraph, min(paragraph + blocks[index].lineBreaks + 1, lastLine)]
                index += 2
                continue
            }
            // Any other block without a position, or out of order, starts on the line after the previous one.
            firstLines.append(blocks[index].startLine > previous ? blocks[index].startLine : previous + 1)
            index += 1
        }
        return blocks.indices.map { index in
            let first = min(firstLines[index], max(lastLine, 1))
            let next = index + 1 < firstLines.count ? firstLines[index + 1] - 1 : lastLine
            return SourceBlock(kind: blocks[index].kind, text: blocks[index].text, lines: first...max(first, next))
        }
    }

    /// The number of lines in `text` as cmark counts them: each `\n`, `\r\n` or `\r` ends one, and text after the
    /// last is one more.
    static func lineCount(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        // Newlines first, in a loop the compiler vectorises; carriage returns only when there are any.
        var count = 0
        var returns = 0
        for byte in text {
            count &+= byte == 0x0A ? 1 : 0
            returns &+= byte == 0x0D ? 1 : 0
        }
        if returns > 0 {
            for index in text.indices where text[index] == 0x0D {
                if index + 1 == text.count || text[index + 1] != 0x0A { count += 1 }
            }
        }
        if let last = text.last, last != 0x0A, last != 0x0D { count += 1 }
        return count
    }
}
