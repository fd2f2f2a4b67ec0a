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

    /// Reads a document: its title and its chunks, in order.
    ///
    /// Returns nil for binary content (NUL bytes or mostly non-text in the first few KB). Invalid UTF-8 is repaired,
    /// an empty or blank document gives no chunks, and `fallbackTitle` names a document without a title of its own.
    public func parse(_ bytes: [UInt8], format: DocumentFormat, fallbackTitle: String) -> ParsedDocument? {
        if Self.looksBinary(bytes) { return nil }
        let text = Self.normalizedText(bytes)

        var elements: [Element]
        var title: String?
        var titleIndex: Int?
        switch format {
        case .markdown:
            var reader = MarkdownReader(text)
            elements = reader.read()
            titleIndex = elements.firstIndex(where: \.isTopLevelHeading)
        case .restructuredText:
            var reader = RestructuredTextReader(text)
            elements = reader.read()
            titleIndex = elements.firstIndex(where: \.isHeading).flatMap { elements[$0].isTopLevelHeading ? $0 : nil }
        case .html:
            var reader = HTMLReader()
            elements = reader.read(text)
            titleIndex = elements.firstIndex(where: \.isTopLevelHeading)
            title = reader.titleText
        case .text:
            (title, elements) = PlainTextReader(text).read()
        }
        if let titleIndex, case .heading(_, let text) = elements[titleIndex] { title = text }

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
