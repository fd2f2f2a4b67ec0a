import Retrieval
import Testing

/// Which format a file's name says, and why the others are passed over.
@Suite struct DocumentFormatTests {
    @Test(arguments: [
        ("guide.md", .markdown), ("GUIDE.MARKDOWN", .markdown), ("notes.txt", .text), ("a/b.rst", .restructuredText),
        ("_sources/library/json.rst.txt", .restructuredText), ("page.html", .html), ("page.HTM", .html),
        ("chapter.xhtml", .html), ("handbook.pdf", .pdf), ("policy.docx", .docx), ("minutes.odt", .odt),
        ("book.epub", .epub), ("old.doc", nil), ("README", nil), (".md", nil), ("photo.png", nil),
    ] as [(String, DocumentFormat?)])
    func formatOfAPath(path: String, format: DocumentFormat?) {
        #expect(DocumentFormat.of(path: path) == format)
    }

    @Test(arguments: [
        ("old.doc", "save it as .docx"), ("slides.pptx", "export them as PDF"), ("scan.TIFF", "no OCR"),
        ("data.xlsx", "spreadsheets"), ("bundle.zip", "archives"), ("song.mp3", "audio and video"),
        ("thing.xyz", "not a supported format (.md, .txt, .rst, .html, .pdf, .docx, .odt, .epub)"),
    ])
    func unsupportedFormatsSayWhy(path: String, reason: String) {
        #expect(DocumentFormat.unsupportedReason(path: path).contains(reason))
    }
}
