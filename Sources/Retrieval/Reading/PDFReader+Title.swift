// A PDF's title: its Title metadata, unless that is empty or what a program filled in; else its outline's first
// entry; else the first line of text.
//
// Producers fill Title with junk often: "Microsoft Word - Handbook.docx", "untitled", "Document1", a file name
// ("scan.html", as Chromium does for a page without a <title>). Such a title names nothing a reader would ask for,
// and titles weigh most in ranking. A long but real title ("json — JSON encoder and decoder — Python 3.11.2
// documentation") is kept as it is.

extension PDFReader {
    /// The title from the rules above, or nil when the document gives none (the caller's fallback names it).
    static func documentTitle(metadata: String?, bookmarks: [Bookmark], firstLine: String?) -> String? {
        if let metadata, !isJunkTitle(metadata) { return metadata }
        if let first = bookmarks.first(where: { $0.level == 1 }) { return first.title }
        guard let firstLine else { return nil }
        let line = Chunker.UTF8Text.headingText(firstLine.utf8)
        return line.isEmpty ? nil : line
    }

    /// File extensions that make a title a file name.
    static let fileNameSuffixes = [
        ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".html", ".htm", ".ppt", ".pptx", ".xls", ".xlsx", ".indd",
        ".tex", ".dvi", ".ps", ".eps", ".md", ".pages", ".wpd", ".qxd", ".jpg", ".jpeg", ".png", ".tif", ".tiff",
    ]

    /// Whether a Title says nothing about the document: empty, a placeholder, an office program's prefix, or a file
    /// name.
    static func isJunkTitle(_ title: String) -> Bool {
        let lowered = Chunker.UTF8Text.headingText(title.utf8).lowercased()
        if lowered.isEmpty || !lowered.contains(where: { $0.isLetter || $0.isNumber }) { return true }
        if ["untitled", "untitled document", "no title", "title", "document", "unknown", "none", "null"]
            .contains(lowered) { return true }
        for prefix in ["microsoft word - ", "microsoft powerpoint - ", "microsoft excel - "] where lowered.hasPrefix(prefix) {
            return true
        }
        // "Document1", "Doc 2", "untitled-3": a placeholder with a number.
        let letters = lowered.prefix { $0.isLetter }
        if ["document", "doc", "untitled"].contains(String(letters)),
           lowered.dropFirst(letters.count).allSatisfy({ $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }) {
            return true
        }
        return fileNameSuffixes.contains { lowered.hasSuffix($0) }
    }
}
