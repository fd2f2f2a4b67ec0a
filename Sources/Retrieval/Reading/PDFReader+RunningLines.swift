// Running headers and footers: lines at the top or bottom of most pages that differ only in their digits.

extension PDFReader {
    /// The lines of a document that are its running headers and footers (PDFReader+Layout.swift says which).
    struct RunningLines {
        /// How many lines from each end of a page may be running lines.
        static let edge = 3
        /// The starts (in the text) of the lines to drop.
        private var starts: Set<Int> = []

        init(text: ArraySlice<UInt8>, pages: [Range<Int>]) {
            guard pages.count >= 3 else { return }
            var counts: [[UInt8]: Int] = [:]
            var edges: [[(start: Int, key: [UInt8])]] = []
            edges.reserveCapacity(pages.count)
            for page in pages {
                let lines = Self.edgeLines(text, page)
                edges.append(lines)
                for key in Set(lines.map(\.key)) { counts[key, default: 0] += 1 }
            }
            let needed = max(3, (pages.count * 3 + 4) / 5)
            for lines in edges {
                for line in lines where counts[line.key, default: 0] >= needed { starts.insert(line.start) }
            }
        }

        /// Whether the line at `range` is a running line.
        func drops(_ range: Range<Int>) -> Bool { !starts.isEmpty && !range.isEmpty && starts.contains(range.lowerBound) }

        /// The first and last `edge` lines of the page that have text, with their keys: the trimmed line with each
        /// run of digits as "#" and each run of whitespace as one space.
        private static func edgeLines(_ text: ArraySlice<UInt8>, _ page: Range<Int>) -> [(start: Int, key: [UInt8])] {
            let newline = Chunker.UTF8Text.newline
            var lines: [Range<Int>] = []
            // From the top, then from the bottom: the middle of the page is never looked at.
            var start = page.lowerBound
            while start < page.upperBound, lines.count < edge {
                let end = text[start..<page.upperBound].firstIndex(of: newline) ?? page.upperBound
                let line = Chunker.UTF8Text.trimmed(text, start..<end)
                if !line.isEmpty { lines.append(line) }
                start = end + 1
            }
            let topEnd = start
            var bottom: [Range<Int>] = []
            var end = page.upperBound
            while end > topEnd, bottom.count < edge {
                let lineStart = text[topEnd..<end].lastIndex(of: newline).map { $0 + 1 } ?? topEnd
                let line = Chunker.UTF8Text.trimmed(text, lineStart..<end)
                if !line.isEmpty { bottom.append(line) }
                end = lineStart - 1
            }
            return (lines + bottom).map { line in (line.lowerBound, key(text[line])) }
        }

        private static func key(_ line: ArraySlice<UInt8>) -> [UInt8] {
            var key: [UInt8] = []
            key.reserveCapacity(line.count)
            for byte in line {
                let mapped: UInt8 = byte >= 0x30 && byte <= 0x39 ? 0x23 : Chunker.UTF8Text.isSpace(byte) ? 0x20 : byte
                if (mapped == 0x23 || mapped == 0x20), key.last == mapped { continue }
                key.append(mapped)
            }
            return key
        }
    }
}
