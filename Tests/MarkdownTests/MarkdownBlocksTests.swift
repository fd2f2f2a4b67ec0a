import Testing
@testable import Markdown

/// Markdown whose top-level blocks, rendered one by one, could plausibly differ from the whole document rendered
/// at once; `blocks` (when given) is how many blocks it must have.
struct BlocksCase: CustomTestStringConvertible, Sendable {
    let name: String
    let markdown: String
    var blocks: Int?

    var testDescription: String { name }
}

let blocksCases: [BlocksCase] = [
    BlocksCase(name: "empty", markdown: "", blocks: 0),
    BlocksCase(name: "blank lines only", markdown: "\n\n  \n", blocks: 0),
    BlocksCase(name: "one paragraph", markdown: "Hello *world*", blocks: 1),
    BlocksCase(name: "tight list", markdown: "- a\n- b\n- c\n", blocks: 1),
    BlocksCase(name: "loose list", markdown: "- a\n\n- b\n- c\n", blocks: 1),
    BlocksCase(name: "tight list holding a loose one", markdown: "- a\n  - x\n\n  - y\n- b\n", blocks: 1),
    BlocksCase(name: "loose list holding a tight one", markdown: "- a\n\n  - x\n  - y\n\n- b\n", blocks: 1),
    BlocksCase(name: "ordered list from 3", markdown: "3. three\n4. four\n\ntext", blocks: 2),
    BlocksCase(name: "two lists split by a marker change", markdown: "- a\n- b\n+ c\n", blocks: 2),
    BlocksCase(name: "list item with code and quote",
        markdown: "1. x\n\n   ```\n   code\n   ```\n\n   > q\n", blocks: 1),
    BlocksCase(name: "blockquote with paragraphs and a list",
        markdown: "> one\n>\n> two\n>\n> - a\n> - b\n", blocks: 1),
    BlocksCase(name: "nested blockquotes", markdown: "> a\n>> b\n> > > c\n\nafter", blocks: 2),
    BlocksCase(name: "lazy blockquote line", markdown: "> a\nb\n", blocks: 1),
    BlocksCase(name: "table", markdown: "| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 |\n", blocks: 1),
    BlocksCase(name: "table without body, then paragraph", markdown: "| a |\n|---|\n\npara", blocks: 2),
    BlocksCase(name: "table with escaped pipe and inline code",
        markdown: "| a | b |\n|---|---|\n| `x\\|y` | **z** |", blocks: 1),
    BlocksCase(name: "fenced code with language", markdown: "```swift\nlet a = b < c && d\n```\n", blocks: 1),
    BlocksCase(name: "unclosed fence", markdown: "```py\nprint(1)", blocks: 1),
    BlocksCase(name: "empty fence", markdown: "```", blocks: 1),
    BlocksCase(name: "indented code", markdown: "para\n\n    code\n      more\n", blocks: 2),
    BlocksCase(name: "raw HTML block omitted", markdown: "<div>\n*x*\n</div>\n\nafter", blocks: 2),
    BlocksCase(name: "raw HTML block between paragraphs", markdown: "a\n\n<script>x</script>\n\nb", blocks: 3),
    BlocksCase(name: "HTML comment block", markdown: "<!-- note -->\n\ntext", blocks: 2),
    BlocksCase(name: "inline raw HTML", markdown: "a <b>c</b> <img src=x> d", blocks: 1),
    BlocksCase(name: "link reference definition only", markdown: "[d]: https://example.com", blocks: 0),
    BlocksCase(name: "link reference definition at the end",
        markdown: "see [docs][d]\n\n[d]: https://x.example", blocks: 1),
    BlocksCase(name: "link reference definition first", markdown: "[d]: /u\n\n[x][d]", blocks: 1),
    BlocksCase(name: "definition inside paragraph start", markdown: "[d]: /u\ntext [d]", blocks: 1),
    BlocksCase(name: "setext headings", markdown: "Title\n=====\n\nSub\n---\n", blocks: 2),
    BlocksCase(name: "ATX headings", markdown: "# One\n## Two ##\n#\n###### Six", blocks: 4),
    BlocksCase(name: "thematic breaks", markdown: "a\n\n---\n***\n\nb", blocks: 4),
    BlocksCase(name: "hard breaks", markdown: "a  \nb\\\nc", blocks: 1),
    BlocksCase(name: "entities and escapes", markdown: "&amp; &copy; &#35; &bogus; \\* < > & \"q\"", blocks: 1),
    BlocksCase(name: "non-ASCII", markdown: "é 日本 👩‍👩‍👧 cafe\u{301}\n\n- ü\n", blocks: 2),
    BlocksCase(name: "NUL", markdown: "a\u{0}b\n\nc", blocks: 2),
    BlocksCase(name: "CRLF", markdown: "a\r\nb\r\n\r\n- c\r\n", blocks: 2),
    BlocksCase(name: "strikethrough and autolinks",
        markdown: "~~x~~ https://a.example www.b.example x@y.example", blocks: 1),
    BlocksCase(name: "empty list item", markdown: "-", blocks: 1),
    BlocksCase(name: "everything at once", markdown: """
        # Answer

        Intro with **bold**, `code`, and a [link][r].

        1. first
        2. second
           - nested
           - items

        > quoted
        >
        > twice

        | k | v |
        |---|---|
        | a | 1 |

        ```
        x
        ```

        <div>omitted</div>

        ---
        Last line.

        [r]: https://example.com
        """, blocks: 9),
]

@Test(arguments: blocksCases)
func blocksJoinedEqualTheWholeDocument(_ testCase: BlocksCase) {
    let blocks = Markdown.blocks(testCase.markdown)
    let html = Markdown.html(testCase.markdown)
    // Bytes, not `String ==`, which would call canonically equivalent text equal.
    #expect(Array(blocks.joined().utf8) == Array(html.utf8), "\(blocks) vs \(html)")
    if let count = testCase.blocks {
        #expect(blocks.count == count, "\(blocks)")
    }
    #expect(blocks.allSatisfy { $0.hasSuffix("\n") }, "\(blocks)")
    // `BlockDiff.apply` splits appended HTML back into blocks; for cmark's HTML that must give the same blocks.
    #expect(BlockHTML.split(html).map { Array($0.utf8) } == blocks.map { Array($0.utf8) }, "\(blocks)")
}

/// The closing run of a block: the element open at each depth at its end, outermost first.
@Test(arguments: [
    ("<p>a</p>\n", ["p"]),
    ("<ul>\n<li>a</li>\n</ul>\n", ["ul", "li"]),
    ("<p>a <em>b</em></p>\n", ["p", "em"]),
    ("<p>a <em>b</em> c</p>\n", ["p"]),
    ("<pre><code class=\"language-swift\">x\n</code></pre>\n", ["pre", "code"]),
    ("<hr />\n", []),
    ("<!-- raw HTML omitted -->\n", []),
    ("<p>a<br />\n</p>\n", ["p"]),
])
func closingRun(_ html: String, _ names: [String]) {
    let bytes = Array(html.utf8)
    let found = BlockHTML.closingRun(bytes).map { String(decoding: BlockHTML.tagName(bytes, at: $0), as: UTF8.self) }
    #expect(found == names)
}

@Test(arguments: [
    ("", true),
    ("text &amp; more", true),
    ("<em>a</em> b", true),
    ("<br />\nx<img src=\"a\" alt=\"&gt;\" /><hr>", true),
    ("a<!-- raw HTML omitted -->b", true),
    ("<li>c</li>\n", true),
    ("</li>\n<li>c", false),
    ("<em>a", false),
    ("a</em>", false),
    ("<em><strong>a</em></strong>", false),
    ("a <!-- open", false),
])
func balanced(_ html: String, _ expected: Bool) {
    #expect(BlockHTML.isBalanced(Array(html.utf8)[...]) == expected)
}
