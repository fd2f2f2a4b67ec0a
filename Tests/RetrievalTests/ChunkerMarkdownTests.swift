// Markdown: ATX and setext headings, titles, and blocks (fences, lists, tables) kept whole and kept as Markdown, as
// cmark-gfm (the renderer's parser) finds them.

import Testing
@testable import Retrieval

extension ChunkerTests {
    @Suite struct Markdown {
        static let guide = """
            # Quarry Guide

            Quarry answers questions about your documents. It reads Markdown, reStructuredText, HTML and text.

            It runs on one machine.

            ## Installing

            Download the binary and run it. It needs no configuration to start, and it keeps its data in one file.

            ### From source

            Build it with SwiftPM:

            ```sh
            # build in release mode
            swift build -c release
            ## still not a heading
            ```

            ## Configuring

            | Key | Default | Meaning |
            | --- | ------- | ------- |
            | PORT | 8080 | where it listens |
            | DATA | ./data | where it keeps its files |

            Options:

            - `--port`: the port to listen on
            - `--data`: the folder for the database
              and its write-ahead log
            - `--model`: the model to answer with

            Settings
            --------

            Settings are read once at start. Change them and restart.

                QUARRY_PORT=9000 quarry

            > Quoted advice that
            > spans two lines.
            """

        static func chunk(containing text: String, in document: ParsedDocument) -> Chunk? {
            document.chunks.first { $0.text.contains(text) }
        }

        @Test(arguments: [
            ("# Hello World\n\nText.", "Hello World"),
            ("Hello\n=====\n\nText.", "Hello"),
            ("## Only a second level\n\nText.", "fallback"),
            ("Intro line.\n\n# Late Title #\n\nText.", "Late Title"),
            ("No headings at all.", "fallback"),
            ("---\ntitle: front matter\n---\n# Front\n\nText.", "Front"),
            ("\u{FEFF}# With a BOM\n\nText.", "With a BOM"),
            ("# The `json` **module**, [its docs](http://x/) _em_ snake_case <a name=\"x\"></a>\n\nText.",
             "The json module, its docs em snake_case"),
            ("# Heading \\<script\\>alert(1)\\</script\\> & Co \\*literal\\*\n\nText.",
             "Heading <script>alert(1)</script> & Co *literal*"),
        ])
        func title(markdown: String, title: String) {
            #expect(ChunkerTests.parse(markdown, .markdown).title == title)
        }

        @Test func atxLevelsMakeTheHeadingPath() {
            let section = { (word: String) in "\(word) one.\n\n\(word) two." }
            let text = """
                # Title

                ## A

                \(section("alpha"))

                ### B

                \(section("beta"))

                #### C

                \(section("gamma"))

                ## D

                \(section("delta"))

                # Second

                \(section("epsilon"))

                ### E

                \(section("zeta"))
                """
            let document = ChunkerTests.parse(text, .markdown)
            #expect(document.title == "Title")
            #expect(document.chunks.map(\.headingPath) == [
                ["A"], ["A", "B"], ["A", "B", "C"], ["D"], ["Second"], ["Second", "E"],
            ])
            #expect(document.chunks.map(\.text) == ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"].map(section))
        }

        @Test func setextHeadingsAndClosingHashes() {
            let text = "Title\n=====\n\nIntro one.\n\nIntro two.\n\nPart\n----\n\nText one.\n\nText two.\n\n"
                + "## Last ##\n\nEnd."
            let document = ChunkerTests.parse(text, .markdown)
            #expect(document.title == "Title")
            #expect(document.chunks.map(\.headingPath) == [[], ["Part"], ["Last"]])
        }

        @Test func aFenceIsKeptWholeAndItsHashLinesAreNotHeadings() throws {
            let document = ChunkerTests.parse(Self.guide, .markdown)
            let fence = "```sh\n# build in release mode\nswift build -c release\n## still not a heading\n```"
            let chunk = try #require(Self.chunk(containing: fence, in: document))
            #expect(chunk.headingPath == ["Installing", "From source"])
            #expect(chunk.text.contains("Build it with SwiftPM:\n\n```sh"))
            #expect(!document.chunks.contains { $0.headingPath.contains { $0.contains("not a heading") } })
        }

        @Test func tablesListsQuotesAndIndentedCodeStayWholeAndMarkdown() throws {
            let document = ChunkerTests.parse(Self.guide, .markdown)
            let table = "| Key | Default | Meaning |\n| --- | ------- | ------- |\n| PORT | 8080 | where it listens |"
            #expect(try #require(Self.chunk(containing: table, in: document)).headingPath == ["Configuring"])
            let list = "- `--data`: the folder for the database\n  and its write-ahead log\n- `--model`"
            let listChunk = try #require(Self.chunk(containing: list, in: document))
            #expect(listChunk.text.contains("Options:\n\n- `--port`"))
            let settings = try #require(Self.chunk(containing: "    QUARRY_PORT=9000 quarry", in: document))
            #expect(settings.headingPath == ["Settings"])
            #expect(settings.text.contains("> Quoted advice that\n> spans two lines."))
        }

        @Test func aListIsNotSplitWhenItFitsInAChunk() throws {
            let list = (1...12).map { "- item \($0): a line of moderate length to fill the list up" }
                .joined(separator: "\n")
            let text = "## Items\n\n\(ChunkerTests.sentences(8))\n\n\(list)\n\n\(ChunkerTests.sentences(8, from: 50))"
            let document = ChunkerTests.parse(text, .markdown)
            #expect(document.chunks.count >= 2)
            #expect(Self.chunk(containing: list, in: document) != nil)
        }

        @Test func aFenceLongerThanAChunkIsSplitIntoFencedPieces() {
            let lines = (0..<80).map { "let value\($0) = compute(\($0)) // step \($0)" }
            let text = "## Code\n\n```swift\n" + lines.joined(separator: "\n") + "\n```\n"
            let document = ChunkerTests.parse(text, .markdown)
            #expect(document.chunks.count >= 3)
            for chunk in document.chunks {
                #expect(chunk.text.hasPrefix("```swift\n"))
                #expect(chunk.text.hasSuffix("\n```"))
            }
            let chunked = document.chunks.flatMap { $0.text.split(separator: "\n").map(String.init) }
            #expect(lines.allSatisfy(chunked.contains))
        }

        /// Where the hand-written block reader this one replaced disagreed with the renderer: cmark-gfm's blocks and
        /// heading texts, each block still the document's own Markdown.
        @Test(arguments: [
            // An HTML block runs to its end condition, blank lines and "#" lines included.
            ("# T\n\n<pre>\n# not a heading\n\n# nor this\n</pre>\n\n## A\n\nText.",
             [["A"]], ["<pre>\n# not a heading\n\n# nor this\n</pre>\n\nText."]),
            // A comment is a note to the author, blank lines and all.
            ("# T\n\n<!--\nadded: v1.0\n\nchanges: none\n-->\n\nBody.", [[]], ["Body."]),
            // A line without a pipe is still a row of the table above it.
            ("# T\n\n| a | b |\n| - | - |\n| 1 | 2 |\nlazy row\n\nAfter.", [[]],
             ["| a | b |\n| - | - |\n| 1 | 2 |\nlazy row\n\nAfter."]),
            // Code spans keep their underscores and brackets; entities are characters.
            ("# Caf&eacute; &amp; Co\n\n## `util._extend()`\n\nOne.\n\n## `emitter[Symbol.for('x')](err)`\n\nTwo.",
             [["util._extend()"], ["emitter[Symbol.for('x')](err)"]], ["One.", "Two."]),
        ] as [(String, [[String]], [String])])
        func theRenderersBlocks(markdown: String, paths: [[String]], texts: [String]) {
            let document = ChunkerTests.parse(markdown, .markdown)
            #expect(document.chunks.map(\.headingPath) == paths)
            #expect(document.chunks.map(\.text) == texts)
        }

        @Test func entitiesInTheTitleAreCharacters() {
            #expect(ChunkerTests.parse("# Caf&eacute; &amp; Co\n\nText.", .markdown).title == "Café & Co")
        }

        @Test func crlfAndLoneCarriageReturnsAreNewlines() {
            let document = ChunkerTests.parse("# T\r\n\r\n## A\r\n\r\nOne.\rTwo.\r\n", .markdown)
            #expect(document.title == "T")
            #expect(document.chunks.map(\.headingPath) == [["A"]])
            #expect(document.chunks.map(\.text) == ["One.\nTwo."])
        }
    }
}
