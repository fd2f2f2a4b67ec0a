// OpenDocument text (.odt): pandoc's conversion of Python's curses HOWTO, and broken or hostile files, made by
// tools/corpus/make-office-fixtures (Fixtures/office). `Office` is in WordReaderTests.swift.

import Testing
import TestSupport
@testable import Retrieval

@Suite struct OpenDocumentReaderTests {
    /// meta.xml's `dc:title`; the Title paragraph repeating it starts no section.
    @Test func theTitleIsTheMetadataTitle() throws {
        let document = try Office.read("curses.odt")
        #expect(document.title == "Curses Programming with Python")
        #expect(!Office.text(document).contains("Curses Programming with Python"))
    }

    /// `text:h` and its `text:outline-level` make the heading paths.
    @Test(arguments: [
        ("This document describes how to use the curses extension module", [String]()),
        ("The curses library supplies a terminal-independent screen-painting", ["What is curses?"]),
        ("The Python module is a fairly simple wrapper over the C functions", ["What is curses?",
                                                                             "The Python curses module"]),
        ("A_BLINK | Blinking text", ["Displaying Text", "Attributes and Color"]),
        ("- Writing Programs with NCURSES: a lengthy tutorial for C programmers.", ["For More Information"]),
    ])
    func headingPath(text: String, path: [String]) throws {
        #expect(Office.chunk(containing: text, in: try Office.read("curses.odt"))?.headingPath == path, "\(text)")
    }

    @Test func aTableComesThroughAsRows() throws {
        #expect(Office.text(try Office.read("curses.odt")).contains("""
            Attribute | Description
            A_BLINK | Blinking text
            A_BOLD | Extra bright or bold text
            """))
    }

    @Test func listItemsAreLines() throws {
        #expect(Office.text(try Office.read("curses.odt")).contains("""
            - Calls the noutrefresh() method of each window to update an underlying data structure representing the \
            desired state of the screen.
            - Calls the function doupdate() function to change the physical screen
            """))
    }

    /// Runs of spaces are `text:s c="…"`, line ends `text:line-break`; the XML's own whitespace collapses.
    @Test func preformattedTextKeepsItsSpacesAndLines() throws {
        #expect(Office.text(try Office.read("curses.odt")).contains("""
            # (5,5) : coordinate of upper-left corner of window area to be filled
            #         with pad content.
            """))
    }

    @Test(arguments: [
        ("spreadsheet.odt", "it is damaged: its mimetype is application/vnd.oasis.opendocument.spreadsheet, not "
            + "OpenDocument text (application/vnd.oasis.opendocument.text): misnamed?"),
        ("password.odt", "it is encrypted (password-protected): save an unprotected copy"),
        ("billion-laughs.odt", "content.xml declares XML entities (lol): refused, as entities are how XML bombs and "
            + "reads of other files work"),
    ])
    func hostileFile(file: String, reason: String) {
        #expect(Office.reason(file) == reason)
    }

    /// The reasons are the Word reader's: one mapping for the three formats.
    @Test(arguments: [
        ("plain-text.docx", "it is damaged: it is not a zip archive, as every .odt is (misnamed, or not finished?)"),
        ("word97.docx", "it is a Word 97–2003 document (.doc) named .odt: save it as .docx"),
        ("bomb.docx", "it is damaged: the archive has no content.xml, so it is not a whole .odt"),
        ("string.docx", "it is damaged: the archive has no content.xml, so it is not a whole .odt"),
    ])
    func otherFilesNamedODT(file: String, reason: String) {
        #expect(Office.reason(file, as: .odt) == reason)
    }

    @Test func throughput() throws {
        try Office.printThroughput("curses.odt", fixture("office/curses.odt"), format: .odt, rounds: 20)
        if let folder = Office.largeFolder {
            try Office.printThroughput("large.odt", readFile("\(folder)/large.odt"), format: .odt, rounds: 3)
        }
    }
}
