// A PDF's title: its Title metadata, unless that is empty or what a program filled in; else its outline's first
// entry; else the first line of text.
//
// Producers fill Title with junk often: "Microsoft Word - Handbook.docx", "untitled", "Document1", a file name
// ("scan.html", as Chromium does for a page without a <title>). Such a title names nothing a reader would ask for,
// and titles weigh most in ranking. A page printed from a web site carries the site's name after the page's own
// title ("json — JSON encoder and decoder — Python 3.11.2 documentation", "Opening hours | City Museum"): when the
// outline's first top-level entry is the Title up to such a separator, that entry is the title, as the page's
// heading is for the same page in HTML. Otherwise the Title is kept as it is: the site's name in every title would
// match every question that names the site.

extension PDFReader {
    /// The title from the rules above, or nil when the document gives none (the caller's fallback names it).
    static func documentTitle(metadata: String?, bookmarks: [Bookmark], firstLine: String?) -> String? {
        let first = bookmarks.first(where: { $0.level == 1 })
        if let metadata, !isJunkTitle(metadata) {
            if let first, let own = title(metadata, endingAfter: first.title) { return own }
            return metadata
        }
        if let first { return first.title }
        guard let firstLine else { return nil }
        let line = Chunker.UTF8Text.headingText(firstLine.utf8)
        return line.isEmpty ? nil : line
    }

    /// `full` up to a separator that web sites put before their name (" — ", " – ", " - ", " | ", " · ", ": "), when
    /// what comes before it is `entry` (compared without whitespace: outlines lose spaces where titles wrapped); nil
    /// otherwise. The Title's own spelling is returned.
    static func title(_ full: String, endingAfter entry: String) -> String? {
        let whole = Chunker.UTF8Text.headingText(full.utf8)
        let wanted = entry.unicodeScalars.filter { !$0.properties.isWhitespace }
        guard !wanted.isEmpty else { return nil }
        var matched = 0
        var index = whole.unicodeScalars.startIndex
        let scalars = whole.unicodeScalars
        while index < scalars.endIndex, matched < wanted.count {
            let scalar = scalars[index]
            if !scalar.properties.isWhitespace {
                guard scalar == wanted[wanted.index(wanted.startIndex, offsetBy: matched)] else { return nil }
                matched += 1
            }
            index = scalars.index(after: index)
        }
        guard matched == wanted.count else { return nil }
        let rest = String(scalars[index...])
        let separated = [" — ", " – ", " - ", " | ", " · ", ": "].contains { rest.hasPrefix($0) && rest.count > $0.count }
        return separated ? String(scalars[..<index]) : nil
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
