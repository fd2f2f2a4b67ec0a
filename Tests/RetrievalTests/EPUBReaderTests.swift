// EPUB: pandoc's book of three pages of Python's documentation (with a cover page, the navigation document in the
// spine and a chapter file named with a space added), and broken ones, made by tools/corpus/make-office-fixtures
// (Fixtures/office). `Office` is in WordReaderTests.swift.

import Testing
import TestSupport
@testable import Retrieval

@Suite struct EPUBReaderTests {
    @Test func theTitleIsTheBooksTitle() throws {
        #expect(try Office.read("book.epub").title == "Python 3.11: errors, text wrapping and CSV")
    }

    /// Each chapter's title heading stays a heading: its passages sit under it.
    @Test(arguments: [
        ("Until now error messages haven’t been more than mentioned", ["8. Errors and Exceptions"]),
        ("Syntax errors, also known as parsing errors", ["8. Errors and Exceptions", "8.1. Syntax Errors"]),
        ("The textwrap module provides some convenience functions", ["textwrap — Text wrapping and filling"]),
        ("The csv module implements classes to read and write tabular data", ["csv — CSV File Reading and Writing"]),
        ("specific formatting parameters are grouped together into dialects",
         ["csv — CSV File Reading and Writing", "Dialects and Formatting Parameters"]),
    ])
    func headingPath(text: String, path: [String]) throws {
        #expect(Office.chunk(containing: text, in: try Office.read("book.epub"))?.headingPath == path, "\(text)")
    }

    /// Spine order; the title page, the cover (an image) and the navigation document give no chunks.
    @Test func chaptersComeInSpineOrder() throws {
        let document = try Office.read("book.epub")
        let chapters = document.chunks.compactMap(\.headingPath.first).reduce(into: [String]()) { chapters, title in
            if chapters.last != title { chapters.append(title) }
        }
        #expect(chapters == ["8. Errors and Exceptions", "textwrap — Text wrapping and filling",
                             "csv — CSV File Reading and Writing"])
        let text = Office.text(document)
        #expect(!text.contains("Python 3.11: errors, text wrapping and CSV"))
        #expect(!text.contains("Cover"))
    }

    @Test func listsComeThroughAsLines() throws {
        #expect(Office.text(try Office.read("book.epub")).contains("""
            - First, the try clause (the statement(s) between the try and except keywords) is executed.
            - If no exception occurs, the except clause is skipped
            """))
    }

    @Test(arguments: [
        ("drm.epub", "it is encrypted (password-protected): save an unprotected copy"),
        ("no-container.epub", "it is damaged: the archive has no META-INF/container.xml, so it is not a whole .epub"),
    ])
    func hostileFile(file: String, reason: String) {
        #expect(Office.reason(file) == reason)
    }

    @Test(arguments: [
        ("plain-text.docx", "it is damaged: it is not a zip archive, as every .epub is (misnamed, or not finished?)"),
        ("password.docx", "it is encrypted (password-protected): save an unprotected copy"),
        ("truncated.docx", "it is damaged: the archive is cut short (its central directory, at the end, is missing)"),
    ])
    func otherFilesNamedEPUB(file: String, reason: String) {
        #expect(Office.reason(file, as: .epub) == reason)
    }

    @Test func throughput() throws {
        try Office.printThroughput("book.epub", fixture("office/book.epub"), format: .epub, rounds: 20)
        if let folder = Office.largeFolder {
            try Office.printThroughput("large.epub", readFile("\(folder)/large.epub"), format: .epub, rounds: 3)
        }
    }
}
