// Input the chunker must survive: nothing, blanks, binaries, broken UTF-8, other newlines, very large files.

import Glibc
import Testing
@testable import Retrieval

extension ChunkerTests {
    /// The file's bytes, or nil when it cannot be read.
    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    @Suite struct Robustness {
        @Test(arguments: DocumentFormat.textFormats)
        func emptyAndBlankDocumentsHaveNoChunks(format: DocumentFormat) throws {
            for text in ["", " ", "\n\n\t \n  \r\n", "\u{FEFF}"] {
                let parsed = try ChunkerTests.chunker.parse(Array(text.utf8), format: format, fallbackTitle: "name")
                let document = parsed
                #expect(document == ParsedDocument(title: "name", chunks: []))
            }
        }

        @Test(arguments: DocumentFormat.textFormats)
        func binaryContentIsSkipped(format: DocumentFormat) {
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + Array("IHDR".utf8)
            let nulLate = Array(String(repeating: "text ", count: 1000).utf8) + [0] + Array("more".utf8)
            let controls: [UInt8] = (0..<4000).map { index in index % 2 == 0 ? UInt8(1 + index % 7) : 0x61 }
            for bytes in [png, nulLate, controls] {
                #expect(throws: DocumentReadError.binary) { try ChunkerTests.chunker.parse(bytes, format: format, fallbackTitle: "x") }
            }
            // Terminal colours (ESC) and form feeds are text.
            let colored = Array("\u{1B}[31mred\u{1B}[0m text\u{0C}\n".utf8)
            #expect(throws: Never.self) { try ChunkerTests.chunker.parse(colored, format: format, fallbackTitle: "x") }
        }

        @Test(arguments: DocumentFormat.textFormats)
        func invalidUTF8IsRepaired(format: DocumentFormat) throws {
            let bytes: [UInt8] = Array("<p>Caf".utf8) + [0xE9] + Array(" au lait ".utf8) + [0xC3, 0x28, 0xF0, 0x9F]
                + Array(" fin.</p>".utf8)
            let document = try ChunkerTests.chunker.parse(bytes, format: format, fallbackTitle: "x")
            let text = document.chunks.map(\.text).joined()
            #expect(text.contains("Caf\u{FFFD} au lait \u{FFFD}("))
            #expect(text.contains("fin."))
        }

        @Test(arguments: [
            ("Title\r\n\r\nOne\r\ntwo.\r\n\r\nThree.\r\n", DocumentFormat.text, "One\ntwo.\n\nThree."),
            ("T\r\n=\r\n\r\nOne\r\ntwo.\r\rThree.", .restructuredText, "One\ntwo.\n\nThree."),
            ("<h1>T</h1>\r\n<pre>One\r\n\ttwo.</pre>\r\n<p>Three.</p>", .html, "One\n\ttwo.\n\nThree."),
        ])
        func carriageReturnsBecomeNewlines(text: String, format: DocumentFormat, chunk: String) {
            let document = ChunkerTests.parse(text, format)
            #expect(document.title == (format == .text ? "Title" : "T"))
            #expect(document.chunks.map(\.text) == [chunk])
        }

        @Test func fiveMegabytesOfMarkdownAreChunked() {
            var text = "# Big\n\n"
            var section = 0
            while text.utf8.count < 5_000_000 {
                text += "## Section \(section)\n\n" + ChunkerTests.sentences(25, from: section)
                    + "\n\n- a list item\n- another one\n\n```\ncode \(section)\n```\n\n"
                section += 1
            }
            let document = ChunkerTests.parse(text, .markdown)
            #expect(document.chunks.count > 5_000_000 / 1_200)
            #expect(document.chunks.last?.headingPath == ["Section \(section - 1)"])
        }

        @Test func fiveMegabytesWithoutALineBreakAreChunked() {
            let word = String(repeating: "x", count: 5_000)
            let text = String(repeating: word + " ", count: 1_000) + "<p>" + String(repeating: "y", count: 100_000)
            for format in DocumentFormat.textFormats {
                let document = ChunkerTests.parse(text, format)
                #expect(document.chunks.count > 5_000_000 / 1_200)
            }
        }

        @Test func fiveMegabytesOfHTMLAreChunked() {
            let row = "<tr><td>cell &amp; cell</td><td><a href='#'>link</a></td></tr>"
            let table = "<table>\(String(repeating: row, count: 20))</table>"
            let section = "<h2>Part</h2><p>\(ChunkerTests.sentences(10))</p>\(table)"
            let html = "<h1>Big</h1>" + String(repeating: section, count: 5_000_000 / section.utf8.count + 1)
            let document = ChunkerTests.parse(html, .html)
            #expect(document.title == "Big")
            #expect(document.chunks.count > 5_000)
        }

        @Test func runawayHeadingsBecomeText() {
            let runaway = ChunkerTests.sentences(40)
            for (text, format) in [
                ("<h1>T</h1><h2>\(runaway)", DocumentFormat.html),
                ("# T\n\n\(runaway)\n---\n", .markdown),
            ] {
                let document = ChunkerTests.parse(text, format)
                #expect(document.chunks.allSatisfy { $0.headingPath.isEmpty })
                let last = "Sentence number 39 tells a small part of the longer story here."
                #expect(document.chunks.last?.text.hasSuffix(last) == true)
            }
        }

        @Test func deeplyNestedDirectivesAreReadOnce() {
            let rst = (0..<1_000).map { depth in
                let indent = String(repeating: " ", count: depth)
                return indent + ".. note::\n\n" + indent + " Level \(depth).\n"
            }.joined(separator: "\n")
            let document = ChunkerTests.parse(rst, .restructuredText)
            let text = document.chunks.map(\.text).joined(separator: "\n")
            #expect(text.contains("Note:\n\nLevel 0."))
            #expect(text.contains("Level 999."))
        }
    }
}
