import Testing
@testable import Markdown

/// One input and what its HTML must (and must not) contain.
struct RenderCase: CustomTestStringConvertible, Sendable {
    let name: String
    let markdown: String
    var contains: [String] = []
    var excludes: [String] = []

    var testDescription: String { name }
}

/// GFM extensions and ordinary CommonMark, as a table of inputs and expected fragments.
let renderCases: [RenderCase] = [
    RenderCase(
        name: "table",
        markdown: "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
        contains: ["<table>", "<thead>", "<th>a</th>", "<th align=\"center\">b</th>", "<tbody>", "<td>1</td>"]
    ),
    RenderCase(name: "strikethrough ~~", markdown: "~~strike~~", contains: ["<p><del>strike</del></p>"]),
    RenderCase(
        name: "single tilde means 'about', not strikethrough",
        markdown: "takes ~5 to ~10 minutes",
        contains: ["<p>takes ~5 to ~10 minutes</p>"],
        excludes: ["<del>"]
    ),
    RenderCase(
        name: "autolink https",
        markdown: "see https://example.com now",
        contains: ["<a href=\"https://example.com\">https://example.com</a>"]
    ),
    RenderCase(
        name: "autolink www",
        markdown: "see www.example.com now",
        contains: ["<a href=\"http://www.example.com\">www.example.com</a>"]
    ),
    RenderCase(name: "heading", markdown: "# Title", contains: ["<h1>Title</h1>"]),
    RenderCase(name: "heading level 3", markdown: "### Small", contains: ["<h3>Small</h3>"]),
    RenderCase(
        name: "bullet list",
        markdown: "- one\n- two\n",
        contains: ["<ul>\n<li>one</li>\n<li>two</li>\n</ul>"]
    ),
    RenderCase(name: "ordered list", markdown: "1. one\n2. two\n", contains: ["<ol>", "<li>two</li>"]),
    RenderCase(
        name: "fenced code with language",
        markdown: "```swift\nlet a = b < c && d\n```\n",
        contains: ["<pre><button type=\"button\" class=\"copy\" data-copy=\"\"></button><code class=\"language-swift\">"
                   + "<span class=\"kw\">let</span> a = b &lt; c &amp;&amp; d\n</code></pre>"]
    ),
    RenderCase(
        name: "emphasis",
        markdown: "*em* and **strong**",
        contains: ["<p><em>em</em> and <strong>strong</strong></p>"]
    ),
    RenderCase(name: "inline code", markdown: "use `a<b>`", contains: ["<code>a&lt;b&gt;</code>"]),
    RenderCase(
        name: "escaping < and & in text",
        markdown: "1 < 2 & 3 > 2",
        contains: ["<p>1 &lt; 2 &amp; 3 &gt; 2</p>"]
    ),
    RenderCase(
        name: "ordinary link",
        markdown: "[docs](https://example.com/a?b=1&c=2)",
        contains: ["<a href=\"https://example.com/a?b=1&amp;c=2\">docs</a>"]
    ),
    RenderCase(name: "soft break stays soft", markdown: "one\ntwo", contains: ["<p>one\ntwo</p>"], excludes: ["<br"]),
    RenderCase(name: "NUL becomes U+FFFD", markdown: "a\u{0}b", contains: ["<p>a\u{FFFD}b</p>"]),
]

@Test(arguments: renderCases)
func renders(_ testCase: RenderCase) {
    let html = Markdown.html(testCase.markdown)
    for fragment in testCase.contains {
        #expect(html.contains(fragment), "\(fragment) missing from \(html)")
    }
    for fragment in testCase.excludes {
        #expect(!html.contains(fragment), "\(fragment) present in \(html)")
    }
}

@Test func emptyInputGivesEmptyOutput() {
    #expect(Markdown.html("") == "")
}
