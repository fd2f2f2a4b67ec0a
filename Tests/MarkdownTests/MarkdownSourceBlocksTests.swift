// Markdown.sourceBlocks: cmark-gfm's top-level blocks, their kinds, heading texts and source lines.

import Markdown
import Testing

@Suite struct MarkdownSourceBlocksTests {
    typealias Block = Markdown.SourceBlock

    /// Each block runs to the line before the next one (blank lines after it included), whatever cmark says of
    /// its end: its setext headings end a line late, its closed HTML blocks a line early.
    @Test(arguments: [
        ("", []),
        ("# Title\n\nOne\ntwo.\n\n## Part ##\n", [
            Block(kind: .heading(level: 1), text: "Title", lines: 1...2),
            Block(kind: .paragraph, lines: 3...5),
            Block(kind: .heading(level: 2), text: "Part", lines: 6...6),
        ]),
        ("Title\n=====\n\nSub\n---\ntext", [
            Block(kind: .heading(level: 1), text: "Title", lines: 1...3),
            Block(kind: .heading(level: 2), text: "Sub", lines: 4...5),
            Block(kind: .paragraph, lines: 6...6),
        ]),
        ("```sh\n# not a heading\n```\n\n    indented\n    code\n", [
            Block(kind: .codeBlock(fenced: true), lines: 1...4),
            Block(kind: .codeBlock(fenced: false), lines: 5...6),
        ]),
        ("~~~\nnever closed\n", [Block(kind: .codeBlock(fenced: true), lines: 1...2)]),
        ("- a\n  # in the item\n- b\n\n1. one\n", [
            Block(kind: .list, lines: 1...4),
            Block(kind: .list, lines: 5...5),
        ]),
        ("| a | b |\n| - | - |\n| 1 | 2 |\nno pipe, still a row\n\nafter", [
            Block(kind: .table, lines: 1...5),
            Block(kind: .paragraph, lines: 6...6),
        ]),
        // cmark-gfm gives the lines above a header row, split off as a paragraph, no position.
        ("i1\ni2\n| a | b |\n| - | - |\n| 1 | 2 |\n", [
            Block(kind: .paragraph, lines: 1...2),
            Block(kind: .table, lines: 3...5),
        ]),
        ("> quoted\n> # inside\n\n***\n\n<!-- note -->\n", [
            Block(kind: .blockQuote, lines: 1...3),
            Block(kind: .thematicBreak, lines: 4...5),
            Block(kind: .html, lines: 6...6),
        ]),
        // An HTML block runs to its end condition: `-->`, or `</pre>` past blank lines and "#" lines.
        ("<!--\nYAML\n-->\nafter\n", [
            Block(kind: .html, lines: 1...3),
            Block(kind: .paragraph, lines: 4...4),
        ]),
        ("<pre>\n# a\n\n# b\n</pre>\n# c", [
            Block(kind: .html, lines: 1...5),
            Block(kind: .heading(level: 1), text: "c", lines: 6...6),
        ]),
        // A link reference definition is no block; a paragraph begins after it.
        ("[ref]: http://example.com\n\nText [ref].", [Block(kind: .paragraph, lines: 3...3)]),
        ("text\r\nmore\r\n\r\n# h\r", [
            Block(kind: .paragraph, lines: 1...3),
            Block(kind: .heading(level: 1), text: "h", lines: 4...4),
        ]),
    ] as [(String, [Block])])
    func blocksAndTheirLines(markdown: String, blocks: [Block]) {
        #expect(Markdown.sourceBlocks(markdown) == blocks)
    }

    @Test(arguments: [
        ("# The `json` **module**, [its docs](http://x/)", "The json module, its docs"),
        ("# ![Logo](logo.png) Quarry ~~old~~ <b>new</b>", "Logo Quarry old new"),
        ("# A &amp; B \\*literal\\* \\<tag\\>", "A & B *literal* <tag>"),
        ("Two\nlines\n===", "Two lines"),
        ("# https://example.com", "https://example.com"),
        ("#", ""),
    ])
    func headingText(markdown: String, text: String) {
        #expect(Markdown.sourceBlocks(markdown).first?.text == text)
    }

    @Test func theBlocksAreThoseTheRendererWrites() {
        let markdown = "# T\n\nText www.example.com.\n\n- a\n- b\n\n```\ncode\n```\n\n| x |\n| - |\n| 1 |\n\n> q\n\n"
            + "<div>\n<b>raw</b>\n</div>\n\n---\n\nEnd ~~not~~."
        #expect(Markdown.sourceBlocks(markdown).count == Markdown.blocks(markdown).count)
    }
}
