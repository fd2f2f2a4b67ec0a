// Plain text: a short first line standing alone is the title; paragraphs, lists and indented code are blocks.

import Testing
@testable import Retrieval

extension ChunkerTests {
    @Suite struct Text {
        @Test(arguments: [
            ("Release Notes\n\nEverything changed.", "Release Notes"),
            ("\n\n   Padded Title   \n\nBody.", "Padded Title"),
            ("First line\nsecond line of the same paragraph\n\nBody.", "fallback"),
            (String(repeating: "long ", count: 17) + "\n\nBody.", "fallback"),
            ("Only one line", "fallback"),
            ("Alone\n\n", "Alone"),
        ])
        func title(text: String, title: String) {
            #expect(ChunkerTests.parse(text, .text).title == title)
        }

        @Test func theTitleLineIsNotRepeatedButALoneLineIsKept() {
            #expect(ChunkerTests.parse("Release Notes\n\nEverything changed.", .text).chunks.map(\.text)
                == ["Everything changed."])
            #expect(ChunkerTests.parse("Alone\n\n", .text).chunks.map(\.text) == ["Alone"])
        }

        @Test func paragraphsListsAndIndentedCodeAreBlocks() {
            let text = """
                Notes

                First paragraph
                wraps here.

                - one
                - two

                    indented()
                    code()
                """
            let document = ChunkerTests.parse(text, .text)
            #expect(document.chunks.map(\.headingPath) == [[]])
            #expect(document.chunks.map(\.text) == [
                "First paragraph\nwraps here.\n\n- one\n- two\n\n    indented()\n    code()",
            ])
        }
    }
}
