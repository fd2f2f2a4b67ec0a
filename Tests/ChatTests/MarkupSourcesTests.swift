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
         #"<span class="title">Staff handbook</span> <span class="heading">› Leave</span>, <span class="page">p. 12</span> "#),
        (source("Staff handbook", "", pages: 3...4),
         #"<span class="title">Staff handbook</span>, <span class="page">pp. 3–4</span> "#),
        (source("Notes & <b>", "A › B", pages: nil),
         #"<span class="title">Notes &amp; &lt;b&gt;</span> <span class="heading">› A › B</span> "#),
    ])
    func aSourceNamesItsDocumentSectionAndPage(source: SourceRecord, expected: String) {
        let html = Markup.sources([source])
        #expect(html.contains("<li>" + expected + #"<span class="relevance">80%</span>"#), "\(html)")
        #expect(html.contains("<q>Annual &lt;leave&gt;</q>"))
    }
}
