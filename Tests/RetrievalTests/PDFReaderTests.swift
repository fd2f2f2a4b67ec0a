// PDFs read through poppler-utils: pages of Debian's python3.11-doc printed by Chromium, and hostile copies of them
// (tools/corpus/make-pdf-fixtures makes them; its header says what each one is).

import Testing
@testable import Retrieval
import Store
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PDFReaderTests {
    /// Reads `Fixtures/pdf/<name>` as the ingester does: its bytes, and its path for pdftohtml.
    static func read(_ name: String, converter: PDFConverter = PDFConverter()) throws(DocumentReadError) -> ParsedDocument {
        let path = fixturePath("pdf/" + name)
        return try DocumentReader(pdf: converter).read(readFile(path), format: .pdf, path: path, fallbackTitle: "fallback")
    }

    // MARK: Real files

    @Test(arguments: [
        // The Title metadata up to the site's name after it (the outline's one top-level entry is the page's title).
        ("secrets.pdf", "secrets — Generate secure random numbers for managing secrets"),
        ("bisect-headers.pdf", "bisect — Array bisection algorithm"),
        // Its Title is the file name "textwrap.rst.txt" and it has no outline: the first line of page 1, below the
        // running header (the print date) that was dropped.
        ("textwrap-source.pdf", ":mod:`textwrap` --- Text wrapping and filling"),
    ])
    func title(file: String, title: String) throws {
        #expect(try Self.read(file).title == title)
    }

    @Test(arguments: [
        ("secrets.pdf", "provides access to the most secure source of randomness", ["Random numbers"], 1),
        ("secrets.pdf", "it is believed that 32 bytes (256 bits) of randomness is sufficient",
         ["Generating tokens", "How many bytes should tokens use?"], 2),
        ("secrets.pdf", "“constant-time compare” to reduce the risk of timing attacks", ["Other functions"], 2),
        ("secrets.pdf", "Generate an XKCD-style passphrase", ["Recipes and best practices"], 3),
        ("bisect-headers.pdf", "Bisection is effective for searching ranges of values", ["Performance Notes"], 2),
        // The heading is the last line of page 2; its section starts on page 3.
        ("bisect-headers.pdf", "show how to transform them into the standard lookups for sorted lists",
         ["Searching Sorted Lists"], 3),
        ("bisect-headers.pdf", "look up a letter grade for an exam score", ["Examples"], 3),
        ("textwrap-source.pdf", "Remove any common leading whitespace from every line in *text*.", [], 2),
        ("textwrap-source.pdf", "You can re-use the same :class:`TextWrapper` object many times", [], 3),
        ("textwrap-source.pdf", "String that will appear at the end of the output text", [], 5),
    ])
    func sentenceIsInAChunkWithItsHeadingsAndPage(file: String, sentence: String, headings: [String], page: Int) throws {
        let chunks = try Self.read(file).chunks.filter { $0.text.contains(sentence) }
        #expect(!chunks.isEmpty, "no chunk has “\(sentence)”")
        for chunk in chunks {
            #expect(chunk.headingPath == headings)
            #expect(chunk.pages?.contains(page) == true, "pages \(String(describing: chunk.pages))")
        }
    }

    @Test func theOutlineGivesTheHeadingPaths() throws {
        // The outline's one top-level entry (the page's h1) titles the document and starts no section.
        let paths = try Self.read("secrets.pdf").chunks.map(\.headingPath)
        #expect(paths.first == [])
        var distinct: [[String]] = []
        for path in paths where distinct.last != path { distinct.append(path) }
        #expect(distinct == [
            [], ["Random numbers"], ["Generating tokens"], ["Generating tokens", "How many bytes should tokens use?"],
            ["Other functions"], ["Recipes and best practices"],
        ])
    }

    @Test func headingLinesLeaveTheText() throws {
        let text = try Self.read("secrets.pdf").chunks.map(\.text).joined(separator: "\n")
        // The h1, wrapped over two lines in the PDF ("…numbers for" / "managing secrets"), and an h2.
        #expect(!text.contains("Generate secure random numbers for managing secrets"))
        #expect(!text.contains("Random numbers The secrets module"))
        #expect(text.contains("The secrets module provides access to the most secure source"))
    }

    @Test(arguments: ["bisect-headers.pdf", "textwrap-source.pdf"])
    func runningHeadersAndFootersAreDropped(file: String) throws {
        let text = try Self.read(file).chunks.map(\.text).joined(separator: "\n")
        #expect(!text.contains("file:///usr/share/doc/python3.11"))
        #expect(!text.contains(" PM"), "the print date")
        #expect(!text.contains("Python 3.11.2 documentation"), "the page title in the header")
        for page in 1...5 { #expect(!text.contains("\(page)/4\n") && !text.hasSuffix("\(page)/5")) }
    }

    @Test func wrappedLinesAreJoinedIntoParagraphs() throws {
        // "…from the highest-quality sources provided by the" / "operating system." in the PDF.
        let text = try Self.read("secrets.pdf").chunks.map(\.text).joined(separator: "\n")
        #expect(text.contains("using the highest-quality sources provided by the operating system."))
    }

    @Test func severalPDFsAtOnce() async throws {
        let expected = try Self.read("secrets.pdf")
        try await withThrowingTaskGroup(of: ParsedDocument.self) { group in
            for _ in 0..<4 { group.addTask { try Self.read("secrets.pdf") } }
            for try await document in group { #expect(document == expected) }
        }
    }

    // MARK: Files that cannot be read

    @Test(arguments: [
        ("encrypted.pdf", DocumentReadError.encrypted),
        ("scan.pdf", .noTextLayer),
        ("truncated.pdf", .damaged("pdftotext could not read it (Couldn't read xref table)")),
        ("not-a-pdf.pdf", .damaged("not a PDF (no %PDF- signature at its start)")),
    ])
    func hostileFile(file: String, error: DocumentReadError) {
        #expect(throws: error) { try Self.read(file) }
    }

    @Test func textPastTheLimitIsRefused() {
        #expect(throws: DocumentReadError.refused("its text is larger than 0 MB, more than Quarry reads from one PDF")) {
            try Self.read("secrets.pdf", converter: PDFConverter(maxTextBytes: 1000))
        }
    }

    @Test func aMissingConverter() throws {
        try withTemporaryDirectory { (folder: String) -> Void in
            #expect(throws: DocumentReadError.converterMissing(program: "pdftotext", package: "poppler-utils")) {
                try Self.read("secrets.pdf", converter: PDFConverter(toolFolder: folder))
            }
        }
    }

    @Test(arguments: [
        // A converter that hangs is killed at the limit (and the sleep it started with it).
        ("sleep 100", DocumentReadError.timedOut(seconds: 1)),
        ("echo 'Permission Error: Copying of text from this document is not allowed.' >&2; exit 3",
         .refused("its author does not allow copying its text (a PDF permission): save a copy without it")),
        ("kill -SEGV $$", .damaged("pdftotext stopped on it with signal 11")),
        ("echo 'Syntax Error (1234): Illegal character' >&2; exit 1",
         .damaged("pdftotext could not read it (Illegal character)")),
        ("printf '<html><head><title>x</title></head><body><pre>\\n \\f \\f</pre></body></html>'", .noTextLayer),
    ])
    func aConverterThatMisbehaves(script: String, error: DocumentReadError) throws {
        try withTemporaryDirectory { (folder: String) -> Void in
            try writeFile(folder + "/pdftotext", Array("#!/bin/sh\n\(script)\n".utf8))
            chmod(folder + "/pdftotext", 0o755)
            #expect(throws: error) {
                try Self.read("secrets.pdf", converter: PDFConverter(toolFolder: folder, timeoutSeconds: 1))
            }
        }
    }

    @Test func withoutPdftohtmlTheTextIsReadWithoutHeadings() throws {
        try withTemporaryDirectory { (folder: String) -> Void in
            symlink("/usr/bin/pdftotext", folder + "/pdftotext")
            let document = try Self.read("secrets.pdf", converter: PDFConverter(toolFolder: folder))
            #expect(document.title.hasPrefix("secrets — Generate secure random numbers"))
            let noHeadings = document.chunks.allSatisfy { $0.headingPath.isEmpty }
            #expect(noHeadings)
            let onPage3 = document.chunks.contains { $0.text.contains("Generate an XKCD-style passphrase") && $0.pages == 3...3 }
            #expect(onPage3)
        }
    }

    @Test func aFolderWithHostilePDFsIsIngestedAroundThem() throws {
        try withTemporaryDirectory { (folder: String) -> Void in
            let docs = folder + "/docs"
            mkdir(docs, 0o755)
            let files = ["secrets.pdf", "encrypted.pdf", "scan.pdf", "truncated.pdf", "not-a-pdf.pdf"]
            for file in files { try writeFile(docs + "/" + file, fixture("pdf/" + file)) }
            var events: [IngestEvent] = []
            let summary = try Ingester(store: Store(path: folder + "/q.db")).ingest([docs]) { events.append($0) }
            #expect(summary.added == 1 && summary.skipped == 4)
            let reasons = Dictionary(uniqueKeysWithValues: events.compactMap { event -> (String, String)? in
                guard case .skipped(let path, let reason) = event else { return nil }
                return (String(path.split(separator: "/").last!), reason)
            })
            #expect(reasons == [
                "encrypted.pdf": DocumentReadError.encrypted.reason,
                "scan.pdf": "no text layer: a scan? run it through OCR first",
                "truncated.pdf": "it is damaged: pdftotext could not read it (Couldn't read xref table)",
                "not-a-pdf.pdf": "it is damaged: not a PDF (no %PDF- signature at its start)",
            ])
        }
    }

    // MARK: Pieces

    @Test(arguments: [
        ("%PDF-1.7\n", true),
        (String(repeating: " ", count: 1000) + "%PDF-1.4", true),
        (String(repeating: " ", count: 1020) + "%PDF-1.4", false),
        ("\u{89}PNG\r\n", false),
        ("", false),
    ])
    func signature(start: String, found: Bool) {
        #expect(PDFReader.hasSignature(Array(start.utf8)) == found)
    }

    @Test(arguments: [
        ("Microsoft Word - Staff handbook.docx", true),
        ("untitled", true),
        ("Untitled Document", true),
        ("Document1", true),
        ("scan.html", true),
        ("Annual Report 2025.PDF", true),
        ("   ", true),
        ("—", true),
        ("json — JSON encoder and decoder — Python 3.11.2 documentation", false),
        ("Staff handbook", false),
        ("Documents of the museum", false),
    ])
    func junkTitle(title: String, junk: Bool) {
        #expect(PDFReader.isJunkTitle(title) == junk)
    }

    @Test func titleFallsBackToTheOutlineThenTheFirstLine() {
        let outline = [PDFReader.Bookmark(level: 1, page: 1, title: "Staff handbook")]
        #expect(PDFReader.documentTitle(metadata: "Leave policy", bookmarks: outline, firstLine: "x") == "Leave policy")
        #expect(PDFReader.documentTitle(metadata: "handbook.docx", bookmarks: outline, firstLine: "x") == "Staff handbook")
        #expect(PDFReader.documentTitle(metadata: nil, bookmarks: [], firstLine: "  City  museum ") == "City museum")
        #expect(PDFReader.documentTitle(metadata: nil, bookmarks: [], firstLine: nil) == nil)
        // A site's name after the page's own title gives way to the outline's entry for the page.
        let page = [PDFReader.Bookmark(level: 1, page: 1, title: "json — JSON encoder and decoder")]
        #expect(PDFReader.documentTitle(metadata: "json — JSON encoder and decoder — Python 3.11.2 documentation",
                                        bookmarks: page, firstLine: "x") == "json — JSON encoder and decoder")
        let wrapped = [PDFReader.Bookmark(level: 1, page: 1, title: "secrets — Generate secure random numbers formanaging secrets")]
        #expect(PDFReader.documentTitle(metadata: "secrets — Generate secure random numbers for managing secrets — Python",
                                        bookmarks: wrapped, firstLine: "x")
                    == "secrets — Generate secure random numbers for managing secrets", "the Title's spelling, not the outline's")
        let museum = [PDFReader.Bookmark(level: 1, page: 1, title: "Opening hours")]
        #expect(PDFReader.documentTitle(metadata: "Opening hours | City Museum", bookmarks: museum, firstLine: "x")
                    == "Opening hours")
        #expect(PDFReader.documentTitle(metadata: "Opening hours and prices", bookmarks: museum, firstLine: "x")
                    == "Opening hours and prices", "a longer title that is not a site's suffix is kept")
    }

    @Test(arguments: [
        ("Syntax Warning: May not be a PDF file (continuing anyway)\nSyntax Error: Couldn't find trailer dictionary\n"
            + "Syntax Error: Couldn't read xref table\n", "pdftotext could not read it (Couldn't read xref table)"),
        ("Syntax Error (52): Illegal character <2f> in hex string\n",
         "pdftotext could not read it (Illegal character <2f> in hex string)"),
        ("", "pdftotext could not read it (exit status 99)"),
    ])
    func failureDetail(stderr: String, detail: String) {
        #expect(PDFReader.failureDetail(stderr, status: 99) == detail)
    }

    @Test func popplerTextKeepsWhatAnHTMLParserWouldEat() {
        let xhtml = "<html><head><title>A &amp; B</title>\n</head>\n<body>\n<pre>\nx <y@z> &amp; 1\n\u{0C}two\n\u{0C}</pre>\n</body>\n</html>\n"
        let text = PDFReader.PopplerText(xhtml: Array(xhtml.utf8))
        #expect(text.title == "A & B")
        #expect(String(decoding: text.text, as: UTF8.self) == "x <y@z> &amp; 1\n\u{0C}two\n\u{0C}")
    }

    @Test func outlineLevelsComeFromNesting() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE pdf2xml SYSTEM "pdf2xml.dtd">
            <pdf2xml producer="poppler" version="22.12.0">
            <page number="1"><text top="1" left="1" width="1" height="1" font="0"><b>Handbook</b></text></page>
            <outline>
            <item page="1">Handbook</item>
            <outline>
            <item page="2">Leave &amp; holidays</item>
            <outline><item page="3">Sick  leave</item></outline>
            <item>Elsewhere</item>
            <item page="4">Pay</item>
            </outline>
            </outline>
            </pdf2xml>
            """
        #expect(PDFReader.PopplerOutline.bookmarks(xml: Array(xml.utf8)) == [
            .init(level: 1, page: 1, title: "Handbook"), .init(level: 2, page: 2, title: "Leave & holidays"),
            .init(level: 3, page: 3, title: "Sick leave"), .init(level: 2, page: 4, title: "Pay"),
        ])
    }
}

extension PDFReaderTests {
    /// From pdftotext's text and an outline to headings and blocks (PDFReader+Layout.swift), on text written here.
    @Suite struct Layout {
        static func mark(_ level: Int, _ page: Int, _ title: String) -> PDFReader.Bookmark {
            PDFReader.Bookmark(level: level, page: page, title: title)
        }

        /// The elements as "h<level> <text>" and "p<page> <text>".
        static func layOut(_ text: String, _ bookmarks: [PDFReader.Bookmark] = []) -> [String] {
            var layout = PDFReader.Layout(text: Array(text.utf8)[...], bookmarks: bookmarks)
            layout.run()
            return layout.elements.map { element in
                switch element {
                case .heading(let level, let text): "h\(level) \(text)"
                case .block(let block): "p\(block.page) \(String(decoding: block.bytes, as: UTF8.self))"
                }
            }
        }

        @Test(arguments: [
            // Paragraphs at blank lines, wrapped lines joined, pages at form feeds.
            ("One\ntwo\n\nThree\n\u{0C}Four\n\u{0C}", [], ["p1 One two", "p1 Three", "p2 Four"]),
            // A heading's own line leaves the text.
            ("Intro\nLeave\nStaff get 25 days\nof leave.\n\u{0C}", [mark(1, 1, "Leave")],
             ["p1 Intro", "h1 Leave", "p1 Staff get 25 days of leave."]),
            // Wrapped over two lines, another case, a space lost in the outline's text.
            ("ANNUAL LEAVE AND\nPUBLIC HOLIDAYS\nBody.\n\u{0C}", [mark(2, 1, "Annual leave andpublic holidays")],
             ["h2 Annual leave andpublic holidays", "p1 Body."]),
            // A heading run into its paragraph: placed before it, the line stays.
            ("Before.\n\nPay. Salaries are paid monthly.\n\u{0C}", [mark(1, 1, "Pay")],
             ["p1 Before.", "h1 Pay", "p1 Pay. Salaries are paid monthly."]),
            // A line of its own is preferred to a sentence that starts with the title's words.
            ("See the\nPay section below.\nPay\nSalaries.\n\u{0C}", [mark(1, 1, "Pay")],
             ["p1 See the Pay section below.", "h1 Pay", "p1 Salaries."]),
            // Not found on its page: at the page's start.
            ("Page one.\n\u{0C}First line.\nMore.\n\u{0C}", [mark(1, 2, "Something else")],
             ["p1 Page one.", "h1 Something else", "p2 First line. More."]),
            // Not found, after one that was: right after it, so the outline's order holds.
            ("Alpha\nBeta\nGamma\n\u{0C}", [mark(1, 1, "Beta"), mark(1, 1, "Zeta")],
             ["p1 Alpha", "h1 Beta", "h1 Zeta", "p1 Gamma"]),
            // Not found, before one that is: at the page's start.
            ("Alpha\nBeta\nGamma\n\u{0C}", [mark(1, 1, "Zeta"), mark(1, 1, "Gamma")],
             ["h1 Zeta", "p1 Alpha Beta", "h1 Gamma"]),
            // A page the text does not have.
            ("Alpha\n\u{0C}", [mark(1, 9, "Appendix"), mark(1, 0, "Cover")], ["p1 Alpha"]),
            // The same title twice on a page: each bookmark takes the next occurrence.
            ("Example\none\nExample\ntwo\n\u{0C}", [mark(2, 1, "Example"), mark(2, 1, "Example")],
             ["h2 Example", "p1 one", "h2 Example", "p1 two"]),
        ] as [(String, [PDFReader.Bookmark], [String])])
        func elements(text: String, bookmarks: [PDFReader.Bookmark], elements: [String]) {
            #expect(Self.layOut(text, bookmarks) == elements)
        }

        @Test func runningLinesGoOnThreePagesOrMore() {
            let bodies = ["Leave starts in May.", "Pay comes monthly.", "Sick leave needs a note."]
            let pages = bodies.indices.map { "Staff handbook\n\(bodies[$0])\nPage \($0 + 1) of 3\n\u{0C}" }.joined()
            #expect(Self.layOut(pages) == ["p1 Leave starts in May.", "p2 Pay comes monthly.", "p3 Sick leave needs a note."])
            // Two pages: nothing is known to repeat.
            let two = (1...2).map { "Staff handbook\nBody \($0).\n\u{0C}" }.joined()
            #expect(Self.layOut(two) == ["p1 Staff handbook Body 1.", "p2 Staff handbook Body 2."])
        }

        @Test func theOnlyTopLevelEntryTitlesTheDocument() {
            var layout = PDFReader.Layout(
                text: Array("Go\nHandbook\nIntro.\nLeave\nText.\n\u{0C}".utf8)[...],
                bookmarks: [Self.mark(1, 1, "Handbook"), Self.mark(2, 1, "Leave")])
            layout.run()
            #expect(layout.titleIndex == 1)
            var chapters = PDFReader.Layout(text: Array("One\nx\nTwo\ny\n\u{0C}".utf8)[...],
                                            bookmarks: [Self.mark(1, 1, "One"), Self.mark(1, 1, "Two")])
            chapters.run()
            #expect(chapters.titleIndex == nil)
        }
    }
}
