// From pdftotext's text to the outline the chunker packs: pages, paragraphs, running lines, and headings placed.
//
// pdftotext prints each page's text in reading order, one visual line per line, a blank line where it sees a gap
// between text blocks, and a form feed after each page. So:
// 1. Pages are cut at form feeds; page N is the file's Nth physical page (what `#page=N` opens in a viewer).
// 2. Running lines go: a line among the first or last three of a page that recurs there, digits aside, on at least
//    60 % of the pages (and three) is a running header or footer ("12/3/26, 11:52 PM", "file:///…", "2/4", "Page 7").
//    Documents of one or two pages keep every line.
// 3. A page's lines make paragraphs, cut at blank lines; a paragraph's lines are joined with a space. A line break
//    inside a paragraph is where the page ran out of width, not the author's: joined, the paragraph is sentences for
//    the chunker to cut between and an excerpt that reads as text, and a phrase wrapped over two lines is found.
//    Poppler already drops the hyphen of a word it sees hyphenated at a line's end, so nothing is undone here.
// 4. The outline's headings: each bookmark opens a page. It is placed before the first line of that page, at or after
//    the previous bookmark's place, that holds only its title (ASCII case and all whitespace ignored, so a title
//    wrapped over two or three lines, or one whose outline text lost a space, still matches), and those lines leave
//    the text; failing that, before the first line that begins with the title (a heading run into its paragraph),
//    which stays. A bookmark whose title is not found goes at its page's start (after the bookmarks of that page
//    placed before it). Bookmarks that open pages the text does not have are dropped. The heading's level is its
//    depth in the outline.
// A PDF without an outline has no headings: a PDF's fonts would be the only clue, and pdftotext does not print them.

extension PDFReader {
    struct Layout {
        let text: ArraySlice<UInt8>
        let bookmarks: [Bookmark]
        private(set) var elements: [Chunker.Element] = []
        /// The bookmarks placed, in the order of their headings.
        private(set) var placedBookmarks: [Bookmark] = []
        /// The heading that titles the document: the outline's only top-level entry, when it has one.
        private(set) var titleIndex: Int?
        /// The first line of text of the first page that has any, for a document with no other title.
        private(set) var firstLine: String?

        private var paragraph: [UInt8] = []
        private var lines: [Range<Int>] = []

        init(text: ArraySlice<UInt8>, bookmarks: [Bookmark]) {
            self.text = text
            self.bookmarks = bookmarks
        }

        mutating func run() {
            let pages = Self.pages(text)
            let running = RunningLines(text: text, pages: pages)
            var marksByPage: [Int: [Bookmark]] = [:]
            for bookmark in bookmarks where bookmark.page >= 1 && bookmark.page <= pages.count {
                marksByPage[bookmark.page, default: []].append(bookmark)
            }
            for (index, page) in pages.enumerated() {
                lines.removeAll(keepingCapacity: true)
                forEachLine(in: page) { line in
                    if !running.drops(line) { lines.append(line) }
                }
                if firstLine == nil, let first = lines.first(where: { !$0.isEmpty }) {
                    firstLine = String(decoding: text[first], as: UTF8.self)
                }
                layOut(page: index + 1, marks: marksByPage[index + 1] ?? [])
            }
            let topLevel = placedBookmarks.indices.filter { placedBookmarks[$0].level == 1 }
            if topLevel.count == 1 {
                var headingNumber = -1
                titleIndex = elements.firstIndex { element in
                    if element.isHeading { headingNumber += 1 }
                    return element.isHeading && headingNumber == topLevel[0]
                }
            }
        }

        /// The ranges of `text` between form feeds; a last page without its form feed counts when it has text.
        static func pages(_ text: ArraySlice<UInt8>) -> [Range<Int>] {
            var pages: [Range<Int>] = []
            var start = text.startIndex
            while let end = text[start...].firstIndex(of: 0x0C) {
                pages.append(start..<end)
                start = end + 1
            }
            if !text[start...].allSatisfy(Chunker.UTF8Text.isSpace) { pages.append(start..<text.endIndex) }
            return pages
        }

        /// Calls `body` with each line of `range`, trimmed (a blank line is an empty range at its place).
        private func forEachLine(in range: Range<Int>, _ body: (Range<Int>) -> Void) {
            var start = range.lowerBound
            while start < range.upperBound {
                let end = text[start..<range.upperBound].firstIndex(of: Chunker.UTF8Text.newline) ?? range.upperBound
                body(Chunker.UTF8Text.trimmed(text, start..<end))
                start = end + 1
            }
        }

        // MARK: One page

        private mutating func layOut(page: Int, marks: [Bookmark]) {
            guard !marks.isEmpty else {
                for line in lines { add(line, page: page) }
                finishParagraph(page: page)
                return
            }
            // Where each bookmark goes: before which line, and how many lines its title takes out of the text.
            var placements: [(line: Int, consumed: Int, bookmark: Bookmark)] = []
            var cursor = 0
            for bookmark in marks {
                let title = Self.compact(bookmark.title)
                var placement = (line: cursor, consumed: 0, bookmark: bookmark)
                // Lines holding only the title first: a sentence of the page that starts with the title's words
                // ("String Methods section below…") is a run-in heading only when there is no such line.
                var runIn: Int?
                for candidate in cursor..<lines.count {
                    guard let consumed = match(title, at: candidate) else { continue }
                    if consumed > 0 {
                        placement = (candidate, consumed, bookmark)
                        runIn = nil
                        break
                    }
                    if runIn == nil { runIn = candidate }
                }
                if let runIn { placement = (runIn, 0, bookmark) }
                // The next bookmark is looked for below this one's title; one not found takes no line.
                if placement.consumed > 0 || runIn != nil { cursor = placement.line + max(placement.consumed, 1) }
                placements.append(placement)
            }
            var next = 0
            var skipUntil = 0
            for index in 0...lines.count {
                while next < placements.count, placements[next].line == index {
                    finishParagraph(page: page)
                    let bookmark = placements[next].bookmark
                    elements.append(.heading(level: bookmark.level, text: bookmark.title))
                    placedBookmarks.append(bookmark)
                    skipUntil = max(skipUntil, index + placements[next].consumed)
                    next += 1
                }
                if index < lines.count, index >= skipUntil { add(lines[index], page: page) }
            }
            finishParagraph(page: page)
        }

        /// Adds a line to the paragraph being gathered; a blank line ends it.
        private mutating func add(_ line: Range<Int>, page: Int) {
            if line.isEmpty { return finishParagraph(page: page) }
            if !paragraph.isEmpty { paragraph.append(Chunker.UTF8Text.space) }
            paragraph.append(contentsOf: text[line])
        }

        private mutating func finishParagraph(page: Int) {
            guard !paragraph.isEmpty else { return }
            if let block = Chunker.Block(.prose, paragraph[...], page: page) { elements.append(.block(block)) }
            paragraph.removeAll(keepingCapacity: true)
        }

        // MARK: Matching titles

        /// A title as matched: its bytes without whitespace, ASCII letters lower-cased.
        static func compact(_ title: String) -> [UInt8] {
            title.utf8.compactMap { byte in
                Chunker.UTF8Text.isSpace(byte) ? nil : lowered(byte)
            }
        }

        @inline(__always) static func lowered(_ byte: UInt8) -> UInt8 {
            byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        }

        /// Whether the lines from `start` begin with `title` (compact): nil if not, else how many lines hold nothing
        /// but the title (0 when it ends inside a line: a heading run into its paragraph).
        private func match(_ title: [UInt8], at start: Int) -> Int? {
            guard let first = title.first, let line = lines[start].first, Self.lowered(text[line]) == first else {
                return nil
            }
            var position = 0
            var index = start
            // A title wraps over a few lines at most; a blank line ends it.
            while index < min(lines.count, start + 4), !lines[index].isEmpty {
                for byte in text[lines[index]] where !Chunker.UTF8Text.isSpace(byte) {
                    if position == title.count { return 0 }
                    if Self.lowered(byte) != title[position] { return nil }
                    position += 1
                }
                if position == title.count { return index - start + 1 }
                index += 1
            }
            return nil
        }
    }
}
