// Keeps the tables cmark-gfm will make within `Markdown.Limits`, by rewriting the source before it is parsed.
//
// The cost is made while parsing (cmark-gfm 0.29's table extension adds the padding cells to each row as it
// reads it), so it cannot be undone on the tree afterwards: the source is changed so that cmark never sees the
// table, and in the way that shows the reader the same characters.
//
// - A delimiter row (`| --- | :-: |`, at least one `|`) wider than `tableColumns`, or one that would start a table
//   once `tableCells` are spent, gets a backslash before its first character. `\|`, `\-` and `\:` are escapes that
//   render as the character itself, and a delimiter row that starts with a backslash is not one: the lines stay a
//   paragraph (or the list they were), with the text as written.
// - A table row that would pass `tableCells` gets a blank line before it: the table ends at the row before, and the
//   rest of its rows read as a paragraph.
//
// Lines are read as cmark would only roughly: a line's leading spaces, tabs and `>` are skipped (block quotes and
// indented list items), fenced code blocks are skipped (where cmark makes no table either), and a table is taken
// to run to the next blank line (cmark also ends it where another block starts, so more rows are counted than it
// makes, never fewer). A delimiter row is counted even when its header has another width and cmark makes no
// table: the count errs on the side of fewer cells.
extension Markdown {
    enum TableBudget {
        /// `source` rewritten to keep within `limits`, or nil when it already does (the usual case, which costs
        /// one pass over the bytes and no allocation).
        static func bounded(_ source: UnsafeBufferPointer<UInt8>, limits: Limits) -> [UInt8]? {
            scan(source, limits: limits).bounded
        }

        /// `bounded(_:limits:)`, the table cells counted in `source` (at most `limits.tableCells`), and the lines
        /// of `source` (from 1, in order) before which a blank line was put.
        static func scan(_ source: UnsafeBufferPointer<UInt8>, limits: Limits)
            -> (bounded: [UInt8]?, cells: Int, cutLines: [Int]) {
            var cutLines: [Int] = []
            var line = 1
            // Offsets at which to insert a backslash (escape) or a new line (cut), in increasing order.
            var edits: [(offset: Int, byte: UInt8)] = []
            var cells = 0
            var tableColumns: Int?  // the width of the table the last line belonged to, if any
            var previousBlank = true
            var fence = FenceTracker()
            var lineStart = 0
            while lineStart < source.count {
                var lineEnd = lineStart
                while lineEnd < source.count, source[lineEnd] != 0x0A, source[lineEnd] != 0x0D { lineEnd += 1 }
                var contentStart = lineStart
                while contentStart < lineEnd,
                      source[contentStart] == 0x20 || source[contentStart] == 0x09 || source[contentStart] == 0x3E {
                    contentStart += 1
                }
                let content = UnsafeBufferPointer(rebasing: source[contentStart..<lineEnd])
                let blank = content.allSatisfy { $0 == 0x20 || $0 == 0x09 }
                let wasInsideFence = fence.isOpen
                fence.read(content)
                if wasInsideFence || fence.isOpen {
                    tableColumns = nil
                } else if blank {
                    tableColumns = nil
                } else if let width = tableColumns {
                    // A row (whatever it holds: cmark makes any line a row until the table ends).
                    if cells + width > limits.tableCells {
                        edits.append((lineStart, 0x0A))
                        cutLines.append(line)
                        tableColumns = nil
                        cells = limits.tableCells
                    } else {
                        cells += width
                    }
                } else if !previousBlank, let width = delimiterRowWidth(content) {
                    if width > limits.tableColumns || cells + width > limits.tableCells {
                        edits.append((contentStart, UInt8(ascii: "\\")))
                    } else {
                        cells += width
                        tableColumns = width
                    }
                }
                previousBlank = blank
                // One line ending: `\n`, `\r\n` or `\r`.
                line += 1
                lineStart = lineEnd + 1
                if lineEnd + 1 < source.count, source[lineEnd] == 0x0D, source[lineEnd + 1] == 0x0A { lineStart += 1 }
            }
            guard !edits.isEmpty else { return (nil, cells, cutLines) }
            var bounded: [UInt8] = []
            bounded.reserveCapacity(source.count + edits.count)
            var copied = 0
            for edit in edits {
                bounded += source[copied..<edit.offset]
                bounded.append(edit.byte)
                copied = edit.offset
            }
            bounded += source[copied...]
            return (bounded, cells, cutLines)
        }

        /// The number of cells of `line` if it is a GFM delimiter row: cells of `:?-+:?` between optional spaces,
        /// separated by `|`, with at least one `|`; nil otherwise.
        static func delimiterRowWidth(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
            var cells = 0
            var pipes = 0
            var index = 0
            let count = line.count
            func skipSpaces() { while index < count, line[index] == 0x20 || line[index] == 0x09 { index += 1 } }
            skipSpaces()
            if index < count, line[index] == UInt8(ascii: "|") { pipes += 1; index += 1 }
            while true {
                skipSpaces()
                guard index < count else { break }
                if line[index] == UInt8(ascii: ":") { index += 1 }
                let dashes = index
                while index < count, line[index] == UInt8(ascii: "-") { index += 1 }
                guard index > dashes else { return nil }
                if index < count, line[index] == UInt8(ascii: ":") { index += 1 }
                cells += 1
                skipSpaces()
                guard index < count else { break }
                guard line[index] == UInt8(ascii: "|") else { return nil }
                pipes += 1
                index += 1
            }
            return cells > 0 && pipes > 0 ? cells : nil
        }
    }
}
