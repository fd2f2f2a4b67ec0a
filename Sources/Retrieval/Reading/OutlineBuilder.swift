// A word processor's paragraphs into an outline, as the Word and OpenDocument readers meet them: headings, prose,
// list items (consecutive items make one list block, an item a line `- item`, indented two spaces a level), lines of
// code (consecutive code paragraphs make one code block) and tables (a row a line, cells joined by " | ").
//
// The title: the first paragraph styled Title titles the document (it starts no section); without one, a lone
// level-1 heading does, as in a Markdown file. Several level-1 headings are chapters: they all stay sections, and
// the first one's text is the title only when the metadata gives none.

/// Builds an `Outline` from the paragraphs of a word-processing document, in order.
struct OutlineBuilder {
    private var elements: [Chunker.Element] = []
    /// The lines of the list or code block being gathered, and its kind.
    private var open: [UInt8] = []
    private var openKind: Chunker.BlockKind?
    /// The first paragraph styled Title.
    private var titleParagraph: Int?

    /// A heading of `level` (1 outermost); an empty heading is dropped.
    mutating func heading(level: Int, _ text: [UInt8]) {
        let heading = Chunker.UTF8Text.headingText(text)
        guard !heading.isEmpty else { return }
        close()
        elements.append(.heading(level: max(1, level), text: heading))
    }

    /// A paragraph styled Title: the first one titles the document, later ones are prose.
    mutating func title(_ text: [UInt8]) {
        guard titleParagraph == nil else { return paragraph(text) }
        let heading = Chunker.UTF8Text.headingText(text)
        guard !heading.isEmpty else { return }
        close()
        titleParagraph = elements.count
        elements.append(.heading(level: 1, text: heading))
    }

    /// A paragraph of prose; `keepWithNext` for one that belongs with the next (a definition's term).
    mutating func paragraph(_ text: [UInt8], keepWithNext: Bool = false) {
        close()
        if let block = Chunker.Block(.prose, text[...], keepWithNext: keepWithNext) { elements.append(.block(block)) }
    }

    /// A list item at `depth` (0 outermost); `continued` for a further paragraph of the item before it.
    mutating func listItem(_ text: [UInt8], depth: Int, continued: Bool = false) {
        let indent = 2 * min(max(depth, 0), 8)
        let marker: [UInt8] = continued ? [0x20, 0x20] : [0x2D, 0x20]
        var line = [UInt8](repeating: 0x20, count: indent) + marker
        line += Self.indentingLines(Self.trimmed(text), by: indent + 2)
        guard line.count > indent + 2 else { return }
        append(line, as: .list)
    }

    /// A paragraph of code: its lines join the code paragraphs around it.
    mutating func codeLine(_ text: [UInt8]) {
        append(text, as: .code)
    }

    /// A table: one line per row, cells whitespace-collapsed and joined by " | "; empty rows are dropped.
    mutating func table(_ rows: [[[UInt8]]]) {
        close()
        var bytes: [UInt8] = []
        for row in rows {
            var cells = row.map { Self.collapsed($0) }
            while let last = cells.last, last.isEmpty { cells.removeLast() }
            guard !cells.isEmpty else { continue }
            if !bytes.isEmpty { bytes.append(Chunker.UTF8Text.newline) }
            for (index, cell) in cells.enumerated() {
                if index > 0 { bytes += [0x20, 0x7C, 0x20] }
                bytes += cell
            }
        }
        if let block = Chunker.Block(.table, bytes[...]) { elements.append(.block(block)) }
    }

    /// The outline; `metadataTitle` is the title the document's metadata gives (`dc:title`), if any.
    mutating func finish(metadataTitle: String?) -> Outline {
        close()
        let topLevel = elements.indices.filter { elements[$0].isTopLevelHeading && $0 != titleParagraph }
        let titleIndex = titleParagraph ?? (topLevel.count == 1 ? topLevel[0] : nil)
        var title = metadataTitle
        if title == nil, titleIndex == nil, let first = topLevel.first, case .heading(_, let text) = elements[first] {
            title = text
        }
        return Outline(title: title, elements: elements, titleIndex: titleIndex)
    }

    // MARK: Gathering

    private mutating func append(_ line: [UInt8], as kind: Chunker.BlockKind) {
        if openKind != kind { close() }
        openKind = kind
        if !open.isEmpty { open.append(Chunker.UTF8Text.newline) }
        open += line
    }

    private mutating func close() {
        guard let kind = openKind else { return }
        if let block = Chunker.Block(kind, open[...]) { elements.append(.block(block)) }
        open.removeAll(keepingCapacity: true)
        openKind = nil
    }

    // MARK: Bytes

    /// `text` without surrounding whitespace.
    private static func trimmed(_ text: [UInt8]) -> ArraySlice<UInt8> {
        text[Chunker.UTF8Text.trimmed(text, text.indices)]
    }

    /// `text` with every line after the first indented by `indent` spaces (an item's own line breaks).
    private static func indentingLines(_ text: ArraySlice<UInt8>, by indent: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        for byte in text {
            output.append(byte)
            if byte == Chunker.UTF8Text.newline { output += repeatElement(0x20, count: indent) }
        }
        return output
    }

    /// `text` with runs of whitespace made one space, trimmed: a table cell on its row's line.
    static func collapsed(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var pendingSpace = false
        for byte in text {
            if Chunker.UTF8Text.isSpace(byte) {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(0x20) }
                pendingSpace = false
                output.append(byte)
            }
        }
        return output
    }
}
