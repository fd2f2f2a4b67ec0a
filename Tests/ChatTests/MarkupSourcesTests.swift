@testable import Chat
@testable import Store
import Testing
import TurboStream
import Words

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
        #expect(html.contains(#"<li value="1">"# + expected + #"<span class="relevance">80%</span>"#), "\(html)")
        #expect(html.contains("<q>Annual &lt;leave&gt;</q>"))
    }

    @Test func aSourceWhosePassageIsGoneIsNotALink() {
        var gone = Self.source("Staff handbook", "Leave", pages: nil)
        gone.chunkID = nil
        #expect(Markup.sources([gone], message: 7).contains(#"<li value="1"><span class="title">Staff handbook</span>"#))
    }

    static func ranked(_ rank: Int) -> SourceRecord {
        SourceRecord(rank: rank, chunkID: Int64(rank), documentTitle: "Doc \(rank)", headingPath: "", excerpt: "…",
                     score: 1, distance: nil, relevance: 90 - rank, pages: nil)
    }

    /// The cited sources come first, under their own numbers; the others apart, as "also searched".
    @Test func citedSourcesComeFirstAndTheRestApart() {
        let html = Markup.sources((1...4).map(Self.ranked), message: 7, cited: [3, 1])
        #expect(html.hasPrefix(#"<details class="sources"><summary>2 sources cited</summary><ol><li value="1">"#), "\(html)")
        let (cited, also) = (html.firstRange(of: #"<li value="3">"#)!, html.firstRange(of: "Also searched")!)
        #expect(cited.lowerBound < also.lowerBound)
        #expect(html.firstRange(of: #"<ol class="also"><li value="2">"#)!.lowerBound > also.lowerBound)
        #expect(html.contains(#"<li value="4">"#))
        // Nothing cited: every source is listed as used, as before.
        #expect(Markup.sources((1...2).map(Self.ranked), message: 7).contains("<summary>2 sources used</summary>"))
        #expect(!Markup.sources((1...2).map(Self.ranked), message: 7).contains("Also searched"))
        // In the page's language.
        let german = Markup.sources((1...4).map(Self.ranked), message: 7, cited: [3, 1], words: Words(Language("de")!))
        #expect(german.contains("<summary>2 Quellen zitiert</summary>") && german.contains(">Ebenfalls durchsucht<"), "\(german)")
    }

    /// What the percentage means is said once, at the end of the list, in the page's language.
    @Test func thePercentageIsExplainedOnce() {
        for (html, words) in [(Markup.sources((1...4).map(Self.ranked), message: 7, cited: [3, 1]), Words.english),
                              (Markup.sources((1...2).map(Self.ranked), message: 7, words: Words(Language("fr")!)), Words(Language("fr")!))] {
            let note = #"<p class="meaning">"# + HTML.escape(words[.sourcesRelevance]) + "</p></details>"
            #expect(html.hasSuffix(note), "\(html)")
            #expect(html.ranges(of: #"<p class="meaning">"#).count == 1)
        }
        #expect(Words(Language("fr")!)[.sourcesRelevance].hasPrefix("Le pourcentage"))
    }

    /// An ended answer links its citations to its sources' passages, and lists the cited ones first.
    @Test func aFinishedAnswerLinksItsCitations() {
        let message = MessageRecord(id: 7, threadID: 1, role: "assistant", content: "Leave is 25 days [2].",
                                    thinking: "", status: .complete, model: nil, error: nil)
        let html = Markup.finishedAnswer(message, sources: (1...3).map(Self.ranked))
        #expect(html.contains(#"Leave is 25 days <a href="/messages/7/sources/2#passage" title="Doc 2">[2]</a>."#), "\(html)")
        #expect(html.contains("<summary>1 source cited</summary>"))
    }
}
