// Word (.docx): real files made by pandoc from Python's documentation, and hostile ones, all made by
// tools/corpus/make-office-fixtures (Fixtures/office). `Office` below is shared with the OpenDocument and EPUB tests.

#if canImport(Glibc)
import Glibc
#endif
import Store
import Testing
import TestSupport
@testable import Retrieval

/// The office fixtures, read as ingestion reads them.
enum Office {
    static func read(_ name: String, as format: DocumentFormat? = nil) throws(DocumentReadError) -> ParsedDocument {
        let format = format ?? DocumentFormat.of(path: name) ?? .docx
        return try DocumentReader().read(fixture("office/\(name)"), format: format, path: name,
                                          fallbackTitle: "fallback")
    }

    /// The reason the fixture is not read, or nil when it is.
    static func reason(_ name: String, as format: DocumentFormat? = nil) -> String? {
        do {
            _ = try read(name, as: format)
            return nil
        } catch {
            return error.reason
        }
    }

    /// The first chunk whose text contains `text`.
    static func chunk(containing text: String, in document: ParsedDocument) -> Chunk? {
        document.chunks.first { $0.text.contains(text) }
    }

    /// All the document's text.
    static func text(_ document: ParsedDocument) -> String {
        document.chunks.map(\.text).joined(separator: "\n\n")
    }

    /// Seconds since some fixed point.
    static func now() -> Double { seconds(CLOCK_MONOTONIC) }

    /// Seconds of processor time the calling thread has used: what reading cost, however busy the machine.
    static func threadTime() -> Double { seconds(CLOCK_THREAD_CPUTIME_ID) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Reads `bytes` `rounds` times and prints MB/s of the file's bytes and of the text that came out, per second of
    /// the thread's processor time (other work on the machine does not count). Never asserts on time (tests don't);
    /// the figure is for a person reading the log.
    static func printThroughput(_ label: String, _ bytes: [UInt8], format: DocumentFormat, rounds: Int) throws {
        let reader = DocumentReader()
        var characters = 0
        let start = now()
        let startTime = threadTime()
        for _ in 0..<rounds {
            let document = try reader.read(bytes, format: format, path: label, fallbackTitle: label)
            characters = document.chunks.reduce(0) { $0 + $1.text.utf8.count }
        }
        let seconds = (now() - start) / Double(rounds)
        let processor = (threadTime() - startTime) / Double(rounds)
        let megabytes = Double(bytes.count) / 1e6
        print("\(label): \(String(megabytes, places: 2)) MB in \(String(seconds * 1000, places: 1)) ms "
            + "(\(String(processor * 1000, places: 1)) ms of processor): "
            + "\(String(megabytes / processor, places: 1)) MB/s of file, "
            + "\(String(Double(characters) / 1e6 / processor, places: 1)) MB/s of chunk text")
        #expect(characters > 0)
    }

    /// The folder of large files made by `tools/corpus/make-office-fixtures --large DIR`, when QUARRY_OFFICE_LARGE
    /// names one.
    static var largeFolder: String? {
        getenv("QUARRY_OFFICE_LARGE").map { String(cString: $0) }
    }
}

extension String {
    init(_ value: Double, places: Int) {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        self = places == 0 ? String(Int(rounded)) : String(rounded)
    }
}

@Suite struct WordReaderTests {
    /// The core properties' `dc:title`, else the first Heading 1.
    @Test(arguments: [
        ("string.docx", "string — Common string operations"),
        ("errors-edited.docx", "8. Errors and Exceptions"),
    ])
    func title(file: String, title: String) throws {
        #expect(try Office.read(file).title == title)
    }

    /// Headings come from paragraph styles, by name and outline level: pandoc's Heading1 ids, and in
    /// errors-edited.docx German Word's ids ("berschrift1") with the level only in the name ("heading 1").
    @Test(arguments: [
        ("string.docx", "The constants defined in this module are:", ["String constants"]),
        ("string.docx", "'<' | Forces the field to be left-aligned", ["Format String Syntax",
                                                                      "Format Specification Mini-Language"]),
        ("string.docx", "- $$ is an escape; it is replaced with a single $.", ["Template strings"]),
        ("string.docx", "Source code: Lib/string.py", []),
        ("errors-edited.docx", "Syntax errors, also known as parsing errors", ["8.1. Syntax Errors"]),
        ("errors-edited.docx", "The try statement works as follows.", ["8.3. Handling Exceptions"]),
        ("errors-edited.docx", "Until now error messages haven’t been more than mentioned", []),
    ])
    func headingPath(file: String, text: String, path: [String]) throws {
        let chunk = Office.chunk(containing: text, in: try Office.read(file))
        #expect(chunk?.headingPath == path, "\(text)")
    }

    @Test func theTitleParagraphStartsNoSection() throws {
        let document = try Office.read("string.docx")
        #expect(!document.chunks.contains { $0.headingPath.contains("string — Common string operations") })
        #expect(!Office.text(document).contains("string — Common string operations"))
    }

    @Test func aTableComesThroughAsRows() throws {
        let text = Office.text(try Office.read("string.docx"))
        #expect(text.contains("""
            Option | Meaning
            '<' | Forces the field to be left-aligned within the available space (this is the default for most \
            objects).
            '>' | Forces the field to be right-aligned within the available space (this is the default for \
            numbers).
            """))
    }

    @Test func numberedParagraphsAreListItems() throws {
        let text = Office.text(try Office.read("string.docx"))
        #expect(text.contains("""
            Template strings support $-based substitutions, using the following rules:

            - $$ is an escape; it is replaced with a single $.
            - $identifier names a substitution placeholder
            """))
    }

    @Test func sourceCodeKeepsItsLinesAndSpaces() throws {
        let text = Office.text(try Office.read("string.docx"))
        #expect(text.contains("""
            replacement_field ::=  "{" [field_name] ["!" conversion] [":" format_spec] "}"
            field_name        ::=  arg_name ("." attribute_name | "[" element_index "]")*
            """))
    }

    /// Tracked deletions and field instructions are not text; a field's result is.
    @Test func deletionsAndFieldInstructionsAreNotText() throws {
        let text = Office.text(try Office.read("errors-edited.docx"))
        #expect(!text.contains("DELETED WORDS"))
        #expect(!text.contains("DOCPROPERTY"))
        #expect(text.contains("syntax errors and exceptions. (field result)"))
    }

    /// Every hostile or broken file has its one-line reason.
    @Test(arguments: [
        ("bomb.docx", "word/document.xml inflates more than 200 times its packed size (refused as a zip bomb)"),
        ("bomb-lying.docx", "word/document.xml inflates more than 200 times its packed size (refused as a zip bomb)"),
        ("billion-laughs.docx", "word/document.xml declares XML entities (lol): refused, as entities are how XML "
            + "bombs and reads of other files work"),
        ("xxe.docx", "word/document.xml declares XML entities (xxe): refused, as entities are how XML bombs and "
            + "reads of other files work"),
        ("truncated.docx", "it is damaged: the archive is cut short (its central directory, at the end, is missing)"),
        ("plain-text.docx", "it is damaged: it is not a zip archive, as every .docx is (misnamed, or not finished?)"),
        ("password.docx", "it is encrypted (password-protected): save an unprotected copy"),
        ("word97.docx", "it is a Word 97–2003 document (.doc) named .docx: save it as .docx"),
        ("excel97.docx", "it is an OLE2 file (Office 97–2003, or password-protected), not a .docx: save it as .docx"),
        ("no-document.docx", "it is damaged: the archive has no word/document.xml, so it is not a whole .docx"),
        ("malformed.docx", "it is damaged: word/document.xml is not well-formed XML (line 1: Opening and ending tag "
            + "mismatch: r line 1 and w:)"),
        ("encrypted-entry.docx", "it is encrypted (password-protected): save an unprotected copy"),
    ])
    func hostileFile(file: String, reason: String) {
        let start = Office.now()
        #expect(Office.reason(file) == reason)
        print("\(file): refused in \(String((Office.now() - start) * 1000, places: 1)) ms")
    }

    /// Every office fixture in one folder: the four real ones go in, each of the others is passed over with its
    /// reason, and the run goes on.
    @Test func aFolderIsIngestedAroundTheHostileFiles() throws {
        try withTemporaryDirectory { (folder: String) -> Void in
            let docs = folder + "/docs"
            mkdir(docs, 0o755)
            let readable = ["string.docx", "errors-edited.docx", "curses.odt", "book.epub"]
            let hostile = ["bomb.docx", "bomb-lying.docx", "billion-laughs.docx", "xxe.docx", "truncated.docx",
                           "plain-text.docx", "password.docx", "word97.docx", "excel97.docx", "no-document.docx",
                           "malformed.docx", "encrypted-entry.docx", "spreadsheet.odt", "password.odt",
                           "billion-laughs.odt", "drm.epub", "no-container.epub"]
            for file in readable + hostile { try writeFile(docs + "/" + file, fixture("office/" + file)) }
            var events: [IngestEvent] = []
            let summary = try Ingester(store: Store(path: folder + "/q.db")).ingest([docs]) { events.append($0) }
            #expect(summary.added == readable.count && summary.skipped == hostile.count)
            let reasons = Dictionary(uniqueKeysWithValues: events.compactMap { event -> (String, String)? in
                guard case .skipped(let path, let reason) = event else { return nil }
                return (String(path.split(separator: "/").last!), reason)
            })
            #expect(reasons == Dictionary(uniqueKeysWithValues: hostile.map { ($0, Office.reason($0) ?? "read") }))
        }
    }

    @Test func throughput() throws {
        try Office.printThroughput("string.docx", fixture("office/string.docx"), format: .docx, rounds: 20)
        if let folder = Office.largeFolder {
            try Office.printThroughput("large.docx", readFile("\(folder)/large.docx"), format: .docx, rounds: 3)
        }
    }
}
