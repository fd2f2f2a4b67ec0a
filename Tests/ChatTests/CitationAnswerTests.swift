// An answer's citations: the model is asked for them, the page links them to the passages, which are saved as soon
// as they are found; the extractive answer cites its quotations the same way.
@testable import Chat
@testable import LLM
import Locking
import Markdown
import Store
import TestSupport
import Testing
import TurboStream

@Suite struct CitationAnswerTests {
    @Test func aModelsCitationsLinkToPassagesSavedBeforeTheAnswerEnds() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            // The first frame with a citation link: how many sources its message had saved by then.
            let savedWhenFirstCited = Locked<Int?>(nil)
            let store = f.store
            f.broadcaster.afterEachPublish { envelopes in
                for envelope in envelopes {
                    guard let link = envelope.html.firstRange(of: "/sources/1#passage"),
                          let start = envelope.html[..<link.lowerBound].ranges(of: "/messages/").last else { continue }
                    let id = Int64(envelope.html[start.upperBound..<link.lowerBound])!
                    let count = (try? store.sources(message: id).count) ?? -1
                    savedWhenFirstCited.withLock { if $0 == nil { $0 = count } }
                }
            }
            // "Granite is cut with diamond wire saws [1]. Ear protection is needed [3][8]."
            let id = try await f.ask("How is granite cut? [standin:answer="
                + "R3Jhbml0ZSBpcyBjdXQgd2l0aCBkaWFtb25kIHdpcmUgc2F3cyBbMV0uIEVhciBwcm90ZWN0aW9uIGlzIG5lZWRlZCBbM11bOF0u]")
            let sources = try f.store.sources(message: id)
            #expect(sources.count >= 1)
            #expect((savedWhenFirstCited.current ?? 0) == sources.count, "saved before the text that cites them")
            let message = try #require(try f.store.message(id))
            let html = f.service.snapshot(of: "session/s1/thread/\(message.threadID)").first?.html ?? ""
            #expect(html.contains(#"saws <a href="/messages/\#(id)/sources/1#passage" title="\#(sources[0].documentTitle) › Quarrying">[1]</a>."#),
                    "\(html)")
            // [3] names a source only if three were found; [8] names none and is dropped.
            #expect(!html.contains("[8]"))
            let cited = sources.count >= 3 ? 2 : 1
            #expect(html.contains("<summary>\(cited) source\(cited == 1 ? "" : "s") cited</summary>"))
        }
    }

    @Test func theModelIsAskedToCiteAndToAnswerInTheQuestionsLanguage() {
        #expect(ModelAnswerer.systemPrompt.contains("[2]"))
        #expect(ModelAnswerer.systemPrompt.contains("language the question is written in"))
    }

    @Test func theExtractiveAnswerCitesItsQuotations() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            let id = try await f.ask("How is granite cut with saws?")
            let message = try #require(try f.store.message(id))
            #expect(message.content.contains("› Quarrying [1]\n"), "\(message.content)")
            let html = f.service.snapshot(of: "session/s1/thread/\(message.threadID)").first?.html ?? ""
            #expect(html.contains(#"<a href="/messages/\#(id)/sources/1#passage""#))
            #expect(html.contains(" cited</summary>"))
        }
    }
}
