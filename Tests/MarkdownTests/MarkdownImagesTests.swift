import Testing
@testable import Markdown

/// Only `data:` images are shown; any other image becomes a link to it, so a page never fetches from elsewhere
/// (whatever a proxy does to the Content-Security-Policy header).
@Suite struct MarkdownImagesTests {
    @Test(arguments: [
        ("![a cat](https://evil.example/track.png)", "<p><a href=\"https://evil.example/track.png\">a cat</a></p>\n"),
        ("![cat](//evil.example/x.png \"A title\")",
         "<p><a href=\"//evil.example/x.png\" title=\"A title\">cat</a></p>\n"),
        ("![*big* cat](x.png)", "<p><a href=\"x.png\"><em>big</em> cat</a></p>\n"),
        ("![r][ref]\n\n[ref]: http://evil.example/r.gif", "<p><a href=\"http://evil.example/r.gif\">r</a></p>\n"),
        ("[![inner](http://evil.example/i.png)](https://ok.example/)", "<p><a href=\"https://ok.example/\">inner</a></p>\n"),
        ("![outer ![inner](http://e.example/i.png)](http://e.example/o.png)",
         "<p><a href=\"http://e.example/o.png\">outer inner</a></p>\n"),
        ("![x](javascript:alert(1))", "<p><a href=\"\">x</a></p>\n"),
        ("- ![in a list](HTTP://E.EXAMPLE/L.PNG)", "<ul>\n<li><a href=\"HTTP://E.EXAMPLE/L.PNG\">in a list</a></li>\n</ul>\n"),
    ])
    func remoteImagesBecomeLinks(markdown: String, html: String) {
        #expect(Markdown.html(markdown) == html)
        #expect(Markdown.blocks(markdown).joined() == html)
    }

    @Test func dataImagesStay() {
        let html = Markdown.html("![dot](DATA:image/png;base64,iVBORw0KGgo=) and ![](data:image/gif;base64,R0lG)")
        #expect(occurrences(of: "<img", in: html) == 2)
    }

    @Test func noRemoteImageInAnyOfManyImages() {
        let markdown = (0..<200).map { "![i\($0)](https://e.example/\($0).png)" }.joined(separator: " ")
        let html = Markdown.html(markdown)
        #expect(!html.contains("<img"))
        #expect(occurrences(of: "<a href=", in: html) == 200)
    }
}
