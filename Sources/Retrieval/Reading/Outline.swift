// What every format's reader hands the chunker: the title the document gives itself, and its outline (headings with
// their levels, and whole blocks with their pages).

/// A document as its reader understood it, before it is cut into chunks.
struct Outline {
    /// The title from the document's metadata (PDF Title, `dc:title`, `<title>`), or nil to take the heading at
    /// `titleIndex`, or the fallback.
    var title: String?
    var elements: [Chunker.Element]
    /// The heading that titles the document: it starts no section of its own (its blocks have no heading path).
    var titleIndex: Int?

    init(title: String? = nil, elements: [Chunker.Element], titleIndex: Int? = nil) {
        self.title = title
        self.elements = elements
        self.titleIndex = titleIndex
    }

    /// An outline whose first level-1 heading titles the document (Markdown, HTML, Word).
    init(title: String? = nil, topLevelHeadingTitle elements: [Chunker.Element]) {
        self.init(title: title, elements: elements, titleIndex: elements.firstIndex(where: \.isTopLevelHeading))
    }
}
