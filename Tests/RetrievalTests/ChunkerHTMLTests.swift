// HTML: reduced to text (chrome dropped, entities decoded, <pre> kept), headings h1–h6, malformed markup survived.

import Testing
@testable import Retrieval

extension ChunkerTests {
    @Suite struct HTML {
        static let page = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8">
            <title>Widgets &mdash; Example Docs</title>
            <style>body { color: red } h1 > a { display: none }</style>
            <script>if (a < b) { document.write("</div><h1>Not a heading</h1>") }</script>
            </head><body>
            <header><a href="/">Site Logo</a></header>
            <nav><ul><li><a href="/">Home nav link</a></li></ul></nav>
            <div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><ul><li>Sidebar entry</li></ul></div>
            <div class="related" role="navigation"><ul><li>Previous topic</li></ul></div>
            <div class="body" role="main">
            <section id="widgets">
            <h1>Widgets<a class="headerlink" href="#widgets" title="Permalink">¶</a></h1>
            <p>Widgets are   small
               things &amp; they&#39;re &#x201C;useful&#x201D; &lt;really&gt;.</p>
            <section><h2>Making one<a class="headerlink" href="#m">¶</a></h2>
            <p>Steps:</p>
            <ol><li>Take a <code>Widget</code>.</li><li>Turn it.<ul><li>Left first.</li></ul></li></ol>
            <div class="highlight"><pre><span></span>def make():
                return  Widget()   # spaces kept
            </pre></div>
            <dl class="py function"><dt class="sig" id="make"><span class="sig-name">make</span>(<em>size</em>)\
            <a class="headerlink" href="#make">¶</a></dt>
            <dd><p>Make a widget of <em>size</em>.</p></dd></dl>
            <h3>Sizes</h3>
            <table><thead><tr><th>Name</th><th>Inches</th></tr></thead>
            <tbody><tr><td>small</td><td>1</td></tr><tr><td>large</td><td>10</td></tr></tbody></table>
            </section>
            <aside class="sidebar">Aside text</aside>
            <div role="navigation">Role navigation text</div>
            <h2>Caveats</h2>
            <p>Line one<br>line two</p>
            </section>
            </div>
            <div class="footer">&copy; Footer text</div>
            <footer>Page footer</footer>
            </body></html>
            """

        static func text(_ html: String) -> String {
            ChunkerTests.parse(html, .html).chunks.map(\.text).joined(separator: "\n\n")
        }

        @Test func aPageBecomesItsTextUnderItsHeadings() {
            let document = ChunkerTests.parse(Self.page, .html)
            #expect(document.title == "Widgets")
            #expect(document.chunks.map(\.headingPath) == [["Making one"], ["Making one", "Sizes"], ["Caveats"]])
            #expect(document.chunks.map(\.text) == [
                """
                Widgets are small things & they're “useful” <really>.

                Steps:

                - Take a Widget.
                - Turn it.
                  - Left first.

                def make():
                    return  Widget()   # spaces kept

                make(size)

                Make a widget of size.
                """,
                "Name | Inches\nsmall | 1\nlarge | 10",
                "Line one\nline two",
            ])
        }

        @Test func chromeScriptsAndStylesAreDropped() {
            let text = Self.text(Self.page)
            for chrome in ["Site Logo", "Home nav link", "Table of Contents", "Sidebar entry", "Previous topic", "¶",
                           "Aside text", "Role navigation text", "Footer text", "Page footer", "color: red",
                           "document.write", "Not a heading", "Example Docs"] {
                #expect(!text.contains(chrome), "\(chrome)")
            }
        }

        @Test(arguments: [
            ("<title>A &amp; B</title><p>x</p>", "A & B"),
            ("<title>T</title><h1>Heading <a class=\"headerlink\">¶</a></h1><p>x</p>", "Heading"),
            ("<title>T</title><nav><h1>Menu</h1></nav><p>x</p>", "T"),
            ("<h1></h1><title>  Spaced\n title </title>", "Spaced title"),
            ("<p>no title</p>", "fallback"),
        ])
        func title(html: String, title: String) {
            #expect(ChunkerTests.parse(html, .html).title == title)
        }

        @Test func headingLevelsOneToSixMakeThePath() {
            let html = "<h1>T</h1>" + ["A", "B", "C", "D", "E"].enumerated().map { level, name in
                "<h\(level + 2)>\(name)</h\(level + 2)><p>\(name) text.</p><p>More.</p>"
            }.joined() + "<h2>F</h2><p>F text.</p>"
            let document = ChunkerTests.parse(html, .html)
            #expect(document.title == "T")
            #expect(document.chunks.map(\.headingPath) == [
                ["A"], ["A", "B"], ["A", "B", "C"], ["A", "B", "C", "D"], ["A", "B", "C", "D", "E"], ["F"],
            ])
        }

        @Test(arguments: [
            ("&amp;&lt;&gt;&quot;&apos;", "&<>\"'"),
            ("a&nbsp;b&#160;c", "a b c"),
            ("&copy; &reg; &mdash; &ndash; &hellip;", "© ® — – …"),
            ("&lsquo;x&rsquo; &ldquo;y&rdquo; &laquo;z&raquo; &times; &divide;", "‘x’ “y” «z» × ÷"),
            ("&#65;&#x42;&#X43;&#x1F600;", "ABC😀"),
            // libxml2 drops a reference to no character (HTML5 would write U+FFFD).
            ("a&#0;b&#xD800;c&#1114112;d", "abcd"),
            ("&unknown; & alone &amp no semicolon", "&unknown; & alone &amp no semicolon"),
        ])
        func characterReferences(html: String, text: String) {
            #expect(Self.text("<p>\(html)</p>") == text)
        }

        @Test(arguments: [
            ("<p>unclosed <b>bold <i>italic", "unclosed bold italic"),
            ("<p>a < b and c<d</p>", "a < b and c"),
            ("<p>text<!-- comment <p>hidden</p> -->shown</p>", "textshown"),
            ("<p>before<!-- never closed", "before"),
            // CDATA is XML's: in HTML, libxml2 reads "<![CDATA[" as text and `<raw>` as an element.
            ("<p>x<![CDATA[<raw> & data]]>y</p>", "x<![CDATA[ & data]]>y"),
            ("<script>var s = '</div><p>not text</p>';</script><p>after</p>", "after"),
            ("<style>p::after { content: '</p>' }</style><p>after</p>", "after"),
            ("<p>kept</p><script>never closed <p>hidden", "kept"),
            ("<p>kept</p><p class=\"unterminated>text", "kept"),
            // Text straight in <body> is put in a paragraph of its own by libxml2 (its implied <p>).
            ("</p></div></ul>stray closers<li>item", "stray closers\n\n- item"),
            ("<<<>>><p>&&&;</p>", "<<<\n\n>>>\n\n&&&;"),
            ("<ul><li>a<ul><li>b", "- a\n  - b"),
            ("<pre>\n  indented\n\tTabbed</pre>", "  indented\n\tTabbed"),
            ("<p>x</p><div class='sphinxsidebar'><div><div>deep</div></div>still sidebar</div><p>y</p>", "x\n\ny"),
            ("<P CLASS=x>Upper <BR>case</P>", "Upper\ncase"),
        ])
        func malformedMarkupIsSurvived(html: String, text: String) {
            #expect(Self.text(html) == text)
        }

        @Test func deepNestingAndUnclosedHeadingsDoNotHurt() {
            let deep = String(repeating: "<div><ul><li>", count: 20_000) + "bottom"
            #expect(Self.text(deep).hasSuffix("- bottom"))
            let document = ChunkerTests.parse("<h1>T</h1><h2>unclosed heading<p>para</p>", .html)
            #expect(document.chunks.map(\.headingPath) == [["unclosed heading"]])
            #expect(document.chunks.map(\.text) == ["para"])
        }

        @Test func aDefinitionTermStaysWithItsDefinition() throws {
            let filler = "<p>\(ChunkerTests.sentences(13))</p>"
            let definition = "<dl><dt>frobnicate(x)</dt><dd><p>\(ChunkerTests.sentences(4, from: 50))</p></dd></dl>"
            let html = "<h2>API</h2>\(filler)\(definition)"
            let document = ChunkerTests.parse(html, .html)
            #expect(document.chunks.count == 2)
            #expect(try #require(document.chunks.last).text.contains("frobnicate(x)\n\nSentence number 50 "))

            // A definition too long to join its term still starts in the term's chunk.
            let long = "<dl><dt>frobnicate(x)</dt><dd><p>\(ChunkerTests.sentences(25, from: 50))</p></dd></dl>"
            let split = ChunkerTests.parse("<h2>API</h2><p>\(ChunkerTests.sentences(15))</p>\(long)", .html)
            #expect(split.chunks.count >= 3)
            #expect(split.chunks.contains { $0.text.contains("frobnicate(x)\n\nSentence number 50 ") })
            #expect(!split.chunks.contains { $0.text.hasSuffix("frobnicate(x)") })
        }

        @Test func thePythonJSONPageReadsAsItsContent() throws {
            let path = "/usr/share/doc/python3.11/html/library/json.html"
            guard let bytes = ChunkerTests.readFile(path) else { return }  // not installed: nothing to check
            let document = try ChunkerTests.chunker.parse(bytes, format: .html, fallbackTitle: "json.html")
            ChunkerTests.checkInvariants(document, ChunkerTests.chunker)
            #expect(document.title == "json — JSON encoder and decoder")
            let paths = Set(document.chunks.map(\.headingPath))
            #expect(paths.contains(["Basic Usage"]))
            #expect(paths.contains(["Standard Compliance and Interoperability", "Character Encodings"]))
            let dumps = try #require(document.chunks.first { $0.text.contains("json.dumps(obj, *, skipkeys=False") })
            #expect(dumps.headingPath == ["Basic Usage"])
            #expect(dumps.text.contains("Serialize obj to a JSON formatted str using this conversion table."))
            let text = document.chunks.map(\.text).joined(separator: "\n")
            for chrome in ["Table of Contents", "Previous topic", "Next topic", "This Page", "Report a Bug",
                           "Show Source", "Navigation", "Python Software Foundation", "¶", "Quick search"] {
                #expect(!text.contains(chrome), "\(chrome)")
            }
            #expect(text.contains(">>> import json"))
            #expect(text.contains("As noted in the errata for RFC 7159"))  // a footnote, written as <aside>
        }
    }
}
