import Testing
@testable import Markdown

/// An answer's citation markers become links to the passages they name, wherever cmark reads text, and nowhere else.
@Suite struct CitationsTests {
    static let three = Markdown.Citations(links: (1...3).map {
        .init(address: "/messages/7/sources/\($0)#passage", title: "Handbook › Leave, p. \($0)")
    })

    static func link(_ number: Int) -> String {
        "<a href=\"/messages/7/sources/\(number)#passage\" title=\"Handbook › Leave, p. \(number)\">[\(number)]</a>"
    }

    @Test(arguments: [
        ("Leave is 25 days [2].", "<p>Leave is 25 days \(link(2)).</p>\n"),
        ("Leave is 25 days.[1][3]", "<p>Leave is 25 days.\(link(1))\(link(3))</p>\n"),
        ("Both [1, 3] say so.", "<p>Both \(link(1))\(link(3)) say so.</p>\n"),
        ("**Bold** [2]", "<p><strong>Bold</strong> \(link(2))</p>\n"),
        ("- one [1]\n- two [2]", "<ul>\n<li>one \(link(1))</li>\n<li>two \(link(2))</li>\n</ul>\n"),
        ("| a |\n|---|\n| x [3] |", "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>x \(link(3))</td>\n</tr>\n</tbody>\n</table>\n"),
        // Numbers that name no passage are dropped, with the space before them.
        ("Made up [9].", "<p>Made up.</p>\n"),
        ("Half [2, 9] right.", "<p>Half \(link(2)) right.</p>\n"),
        // Not citations: an index, code, a link's own text, a zero, four digits, text in brackets.
        ("items[1] and `a [1]`", "<p>items[1] and <code>a [1]</code></p>\n"),
        ("[1](https://example.org)", "<p><a href=\"https://example.org\">1</a></p>\n"),
        ("[0] and [1000] and [x]", "<p>[0] and [1000] and [x]</p>\n"),
    ])
    func markersBecomeLinks(markdown: String, html: String) {
        #expect(Markdown.html(markdown, citations: Self.three) == html)
        #expect(Markdown.blocks(markdown, citations: Self.three).joined() == html)
    }

    @Test func codeBlocksKeepTheirBrackets() {
        let markdown = "```python\nx = a[1]\n```\n"
        #expect(Markdown.html(markdown, citations: Self.three) == Markdown.html(markdown))
    }

    @Test func withoutCitationsTheTextStaysAsWritten() {
        #expect(Markdown.html("Leave [2].") == "<p>Leave [2].</p>\n")
        #expect(Markdown.html("Leave [2].", citations: .init(links: [])) == "<p>Leave.</p>\n")
    }

    @Test func theCitedNumbersAreReadBackFromTheRender() {
        let html = Markdown.html("One [3], two [1][3], none [7].", citations: Self.three)
        #expect(Self.three.cited(in: html) == [1, 3])
    }

    @Test(arguments: [
        ("Leave is 25 days [", "Leave is 25 days "),
        ("Leave is 25 days [2", "Leave is 25 days "),
        ("Leave [1, 3", "Leave "),
        ("Leave [1][", "Leave [1]"),
        ("Leave [2]", nil),
        ("items[1", nil),
        ("[ x", nil),
    ] as [(String, String?)])
    func aMarkerStillArrivingIsHeldBack(text: String, shown: String?) {
        #expect(Markdown.Citations.pendingStart(in: text).map { String(text[..<$0]) } == shown)
    }

    /// Streamed a byte at a time, the kept blocks with citations equal the whole render with them.
    @Test func theBlockRendererLinksAsTheWholeRenderDoes() {
        let text = "Intro [1].\n\n- a [2]\n- b [9]\n\n```\nx[1]\n```\n\nEnd [3][1]."
        var renderer = Markdown.BlockRenderer(citations: Self.three)
        var prefix = ""
        for character in text {
            prefix.append(character)
            #expect(renderer.blocks(prefix) == Markdown.blocks(prefix, citations: Self.three), "\(prefix.debugDescription)")
        }
    }
}
