// The chunker: a document's bytes in, its title and passages of meaning out.
//
// Each format has a reader that turns the (repaired, newline-normalised) bytes into a flat list of elements: headings
// with their levels, and blocks (paragraphs, lists, code, tables) kept whole. The chunker then walks that list once,
// keeping the stack of enclosing headings, and hands each section's blocks to the packer, which fills chunks greedily
// and overlaps consecutive chunks of one section. A section that is a single short block (a module's "Source code:"
// line) goes with its first subsection instead of making a chunk of its own. Every stage is a single forward pass over
// its input, and nothing recurses on the input's structure, so time is linear and the stack stays flat.

/// Cuts documents into passages of about `targetCharacters`, along their headings, keeping blocks whole.
///
/// Lengths are counted in Unicode scalars (a `Character` is one or more scalars, so a chunk's `text.count` never
/// exceeds its scalar count). Every chunk's text is at most `maxCharacters + overlapCharacters` scalars: its own
/// passage is at most `maxCharacters`, and the tail of the previous chunk prefixed to it (with its separator) at most
/// `overlapCharacters`.
public struct Chunker: Sendable {
    /// The size chunks are filled to.
    public let targetCharacters: Int
    /// The size a chunk may grow to rather than split a block; blocks beyond it are split.
    public let maxCharacters: Int
    /// The most of the previous chunk's tail (with its separator) prefixed to the next chunk of the same section.
    public let overlapCharacters: Int

    /// Sizes are clamped to sane values: `targetCharacters` at least 16, `maxCharacters` at least `targetCharacters`,
    /// `overlapCharacters` between 0 and half of `targetCharacters`.
    public init(targetCharacters: Int = 1000, maxCharacters: Int = 1200, overlapCharacters: Int = 120) {
        self.targetCharacters = max(16, targetCharacters)
        self.maxCharacters = max(self.targetCharacters, maxCharacters)
        self.overlapCharacters = min(max(0, overlapCharacters), self.targetCharacters / 2)
    }

    /// Reads a text document (Markdown, reStructuredText, HTML, plain text): its title and its chunks, in order.
    /// Invalid UTF-8 is repaired, an empty or blank document gives no chunks, and `fallbackTitle` names a document
    /// without a title of its own. Throws `.binary` for binary content (NUL bytes or mostly non-text in the first
    /// few KB), and `.unsupported` for the formats that need a `DocumentReader` (PDF, Word, OpenDocument, EPUB).
    public func parse(_ bytes: [UInt8], format: DocumentFormat, fallbackTitle: String)
        throws(DocumentReadError) -> ParsedDocument
    {
        if Self.looksBinary(bytes) { throw .binary }
        let text = Self.normalizedText(bytes)
        let outline: Outline
        switch format {
        case .markdown:
            outline = MarkdownReader.outline(text)
        case .restructuredText:
            var reader = RestructuredTextReader(text)
            let elements = reader.read()
            let first = elements.firstIndex(where: \.isHeading).flatMap { elements[$0].isTopLevelHeading ? $0 : nil }
            outline = Outline(elements: elements, titleIndex: first)
        case .html:
            outline = HTMLReader.outline(text)
        case .text:
            let (title, elements) = PlainTextReader(text).read()
            outline = Outline(title: title, elements: elements)
        case .pdf, .docx, .odt, .epub:
            throw .unsupported(format)
        }
        return chunk(outline, fallbackTitle: fallbackTitle)
    }

    /// Cuts a document's outline into chunks along its headings; the title is the outline's, else `fallbackTitle`.
    func chunk(_ outline: Outline, fallbackTitle: String) -> ParsedDocument {
        let elements = outline.elements
        let titleIndex = outline.titleIndex
        var title = outline.title
        if let titleIndex, case .heading(_, let text) = elements[titleIndex], title == nil { title = text }

        var packer = Packer(target: targetCharacters, maximum: maxCharacters, overlap: overlapCharacters)
        var headings: [(level: Int, text: String)] = []
        var section: [Block] = []
        for index in elements.indices {
            switch elements[index] {
            case .block(let block):
                section.append(block)
            case .heading(let level, let text):
                // A tiny section (one short block) is carried into its first child rather than left alone.
                let isChild = index != titleIndex && level > (headings.last?.level ?? 0)
                let isTiny = section.count == 1 && section[0].bytes.count < targetCharacters / 8
                if !(isChild && isTiny) {
                    packer.pack(section, headingPath: headings.map(\.text))
                    section.removeAll(keepingCapacity: true)
                }
                if index == titleIndex {
                    headings.removeAll()
                } else {
                    while let last = headings.last, last.level >= level { headings.removeLast() }
                    headings.append((level, text))
                }
            }
        }
        packer.pack(section, headingPath: headings.map(\.text))

        let trimmedTitle = title.map { UTF8Text.trimmedString($0) } ?? ""
        return ParsedDocument(title: trimmedTitle.isEmpty ? fallbackTitle : trimmedTitle, chunks: packer.chunks)
    }
}
