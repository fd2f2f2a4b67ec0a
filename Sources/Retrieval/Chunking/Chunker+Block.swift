// What the format readers hand the packer: headings and whole blocks, as UTF-8 bytes.

extension Chunker {
    /// How a block may be split when it is longer than a chunk may be.
    enum BlockKind: Equatable {
        /// Paragraphs, quotes, definitions: split at sentences, then lines, then words. Overlap comes from prose.
        case prose
        /// Lists: split between lines (items), then words. Overlap comes from lists too.
        case list
        /// Code and literal blocks: split between lines, then words; never a source of overlap.
        case code
        /// Tables as text rows: split between rows, then words; never a source of overlap.
        case table
    }

    /// A paragraph, list, code block or table, kept whole where possible.
    struct Block {
        var kind: BlockKind
        /// Valid UTF-8, without leading or trailing blank lines.
        var bytes: [UInt8]
        /// Keep this block in the same chunk as the next one (an HTML `<dt>` and its `<dd>`, a reST signature).
        var keepWithNext = false
        /// A Markdown fenced code block: its first and last lines are the fences, re-emitted around each piece.
        var isFenced = false
        /// The page it is on (1 is the file's first page), or 0 in a document without pages. A block of a paged
        /// document never spans pages: readers cut at page breaks.
        var page = 0

        /// A block of the given bytes; nil when they hold no text. Prose loses its surrounding whitespace; code,
        /// lists and tables keep the indentation of their first line.
        init?(_ kind: BlockKind, _ bytes: ArraySlice<UInt8>, keepWithNext: Bool = false, isFenced: Bool = false,
              page: Int = 0) {
            let range = kind == .prose
                ? UTF8Text.trimmed(bytes, bytes.indices)
                : UTF8Text.trimmedLines(bytes, bytes.indices)
            guard !range.isEmpty else { return nil }
            self.kind = kind
            self.bytes = Array(bytes[range])
            self.keepWithNext = keepWithNext
            self.isFenced = isFenced
            self.page = page
        }

        /// Whether the packer should keep it with the next block: asked for, or prose introducing what follows (":").
        var gluesToNext: Bool { keepWithNext || (kind == .prose && bytes.last == UInt8(ascii: ":")) }
    }

    /// One step of a document's outline.
    enum Element {
        case heading(level: Int, text: String)
        case block(Block)

        var isHeading: Bool {
            if case .heading = self { return true }
            return false
        }

        var isTopLevelHeading: Bool {
            if case .heading(1, _) = self { return true }
            return false
        }
    }

    /// Byte-level helpers over valid UTF-8.
    enum UTF8Text {
        static let newline = UInt8(ascii: "\n")
        static let space = UInt8(ascii: " ")

        /// ASCII whitespace: space, tab, newline, vertical tab, form feed, carriage return.
        @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
        }

        /// Space or tab.
        @inline(__always) static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

        @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
        }

        /// The number of Unicode scalars in `range`: every byte that is not a continuation byte.
        static func scalarCount<C: RandomAccessCollection>(_ bytes: C, _ range: Range<C.Index>) -> Int
        where C.Element == UInt8 {
            var count = 0
            for byte in bytes[range] where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }

        /// `range` without leading and trailing whitespace.
        static func trimmed<C: RandomAccessCollection>(_ bytes: C, _ range: Range<C.Index>) -> Range<C.Index>
        where C.Element == UInt8 {
            var lower = range.lowerBound
            var upper = range.upperBound
            while lower < upper, isSpace(bytes[lower]) { lower = bytes.index(after: lower) }
            while upper > lower, isSpace(bytes[bytes.index(before: upper)]) { upper = bytes.index(before: upper) }
            return lower..<upper
        }

        /// `range` without leading blank lines and trailing whitespace; the first line keeps its indentation.
        static func trimmedLines<C: RandomAccessCollection>(_ bytes: C, _ range: Range<C.Index>) -> Range<C.Index>
        where C.Element == UInt8 {
            let text = trimmed(bytes, range)
            guard !text.isEmpty else { return text }
            var lower = text.lowerBound
            while lower > range.lowerBound, isBlank(bytes[bytes.index(before: lower)]) {
                lower = bytes.index(before: lower)
            }
            return lower..<text.upperBound
        }

        /// The string with surrounding whitespace (ASCII and Unicode) removed.
        static func trimmedString(_ string: String) -> String {
            let scalars = string.unicodeScalars
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                  let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return "" }
            return String(scalars[first...last])
        }

        /// A heading's text: whitespace collapsed and trimmed, trailing pilcrows (Sphinx's "¶") removed.
        static func headingText(_ bytes: some Collection<UInt8>) -> String {
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var pendingSpace = false
            for byte in bytes {
                if isSpace(byte) {
                    pendingSpace = !output.isEmpty
                } else {
                    if pendingSpace { output.append(space) }
                    pendingSpace = false
                    output.append(byte)
                }
            }
            while output.count >= 2, output[output.count - 2] == 0xC2, output[output.count - 1] == 0xB6 {
                output.removeLast(2)
                while let last = output.last, isSpace(last) { output.removeLast() }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }
}
