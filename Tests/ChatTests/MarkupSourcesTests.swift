@testable import Chat
import Store
import Testing

/// The source list under an answer: title, heading path, page, relevance and excerpt, all escaped.
@Suite struct MarkupSourcesTests {
    static func source(_ title: String, _ heading: String, pages: ClosedRange<Int>?) -> SourceRecord {
        SourceRecord(rank: 1, chunkID: 1, documentTitle: title, headingPath: heading, excerpt: "Annual <leave>",
                     score: 1, distance: nil, relevance: 80, pages: pages)
    }

    @Test(arguments: [
        (source("Staff handbook", "Leave", pages: 12...12),
         #"<a class="title" href="/messages/7/sources/1#passage">Staff handbook</a> <span class="heading">› Leave</span>, <span class="page">p. 12</span> "#),
        (source("Staff handbook", "", pages: 3...4),
         #"<a class="title" href="/messages/7/sources/1#passage">Staff handbook</a>, <span class="page">pp. 3–4</span> "#),
        (source("Notes & <b>", "A › B", pages: nil),
         #"<a class="title" href="/messages/7/sources/1#passage">Notes &amp; &lt;b&gt;</a> <span class="heading">› A › B</span> "#),
    ])
    func aSourceNamesItsDocumentSectionAndPage(source: SourceRecord, expected: String) {
        let html = Markup.sources([source], message: 7)
        #expect(html.contains("<li>" + expected + #"<span class="relevance">80%</span>"#), "\(html)")
        #expect(html.contains("<q>Annual &lt;leave&gt;</q>"))
    }

    @Test func aSourceWhosePassageIsGoneIsNotALink() {
        var gone = Self.source("Staff handbook", "Leave", pages: nil)
        gone.chunkID = nil
        #expect(Markup.sources([gone], message: 7).contains(#"<li><span class="title">Staff handbook</span>"#))
    }
}
