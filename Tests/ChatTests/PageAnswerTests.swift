@testable import Chat
import Contracts
import Locking
import Markdown
import Store
import Testing
import TurboStream

/// The page always shows the render of the text sent so far, whatever the markdown and however it is cut into
/// tokens; at the end, the render of the whole answer. And the bytes sent grow with the answer, not its square.
@Suite struct PageAnswerTests {
    static let streams: [(name: String, markdown: String)] = [
        ("paragraphs", "Granite is *hard*.\n\nMarble is **softer** than granite, and ~~cheaper~~ dearer.\n"),
        ("code fence split", "Run this:\n\n```swift\nlet stone = \"granite\"\nprint(stone < \"marble\")\n```\n\nThen stop.\n"),
        ("code fence never closed", "```python\nfor x in range(3):\n    print(x)\n"),
        ("table row by row", "| stone | hardness |\n| --- | ---: |\n| granite | 6 |\n| marble | 3 |\n| talc | 1 |\n\nDone."),
        ("table header late", "| a | b |\nmore text\n| --- | --- |\n"),
        ("setext headings", "Quarrying\n=========\n\nTools\n-----\n\nSaws and drills.\n"),
        ("lists tight to loose", "- one\n- two\n  - nested\n  - more\n\n- three after a blank\n\n1. first\n2. second\n"),
        ("blockquote", "> A quote that\n> goes on.\n>\n> And a second paragraph.\n\nAfter.\n"),
        ("entities and angle brackets", "Use a < b && c > d; write &amp; as &; <script>alert(1)</script> is not run.\n"),
        ("links and autolinks", "See [the guide][g] or https://example.org/x_y.\n\n[g]: https://example.org/guide\n"),
        ("inline code in pieces", "Call `ingest(path)` then ``a `b` c``.\n"),
        ("non-ASCII", "Café — 日本語 — emoji 🪨 and e\u{301}.\n\n# Überschrift\n"),
        ("hard breaks and rules", "line one  \nline two\\\nline three\n\n---\n\n***\n"),
        ("raw HTML block", "<div>\nraw\n</div>\n\nText after.\n"),
        ("table wider than the limit", "Wide:\n\n|" + String(repeating: "h|", count: 80) + "\n|" + String(repeating: "-|", count: 80)
            + "\n|1|\n|2|\n\nAfter.\n"),
        ("remote image", "See ![the quarry](https://example.org/q.png) and ![dot](data:image/png;base64,iVBORw0KGgo=).\n"),
    ]

    /// Feeds `markdown` to a PageAnswer in pieces; after every frame, checks the page against the render of the text
    /// sent; returns the page's content at the end and the frames.
    func stream(_ markdown: String, pieceSize: Int, interval: Duration, costFactor: Int = 0)
        -> (ContentModel, RecordingBroadcaster, LiveAnswers) {
        let broadcaster = RecordingBroadcaster(), live = LiveAnswers()
        live.start(5, thread: 1)
        let page = PageAnswer(id: 5, stream: "s", broadcaster: broadcaster, live: live, interval: interval,
                              costFactor: costFactor)
        var model = ContentModel(id: 5), applied = 0, text = ""
        let answer = AnswerText()
        for piece in markdown.pieces(of: pieceSize) {
            text += piece
            answer.append(piece)
            page.text(answer, delta: piece)
            let frames = broadcaster.frames
            for frame in frames[applied...] { for envelope in frame.envelopes { model.apply(envelope) } }
            if frames.count > applied {
                // A frame went out: the page shows the render of the text so far, and a snapshot would show the same.
                #expect(model.html == Markdown.html(PageAnswer.renderable(text)), "after \(text.debugDescription)")
                #expect(live[5]?.blocks.joined() == model.html)
            }
            applied = frames.count
        }
        page.finished(AnswerOutcome(status: .complete, text: text, error: nil, sources: []), save: {})
        for frame in broadcaster.frames[applied...] { for envelope in frame.envelopes { model.apply(envelope) } }
        return (model, broadcaster, live)
    }

    @Test(arguments: streams, [1, 3, 7])
    func thePageShowsTheRenderOfTheTextSent(stream: (name: String, markdown: String), pieceSize: Int) {
        let (model, _, live) = self.stream(stream.markdown, pieceSize: pieceSize, interval: .zero)
        #expect(model.html == Markdown.html(stream.markdown), "\(stream.name)")
        #expect(live[5] == nil, "a finished answer leaves the live table")
    }

    /// Citations stream as links to their passages: a marker still arriving is never shown as text, each frame is the
    /// render (citations linked) of the text sent, and the end lists the cited sources first.
    @Test(arguments: [1, 2, 5])
    func citationsArriveAsLinksAndNeverAsText(pieceSize: Int) {
        let sources = (1...3).map {
            SourceRecord(rank: $0, chunkID: Int64($0), documentTitle: "Stone \($0)", headingPath: "", excerpt: "…",
                         score: 1, distance: nil, relevance: 90, pages: nil)
        }
        let markdown = "Granite is hard [1]. Marble [2][3] and talc [1, 3].\n\n- none [9]\n- `a[1]` list[2]\n\nEnd.[3]"
        let broadcaster = RecordingBroadcaster(), live = LiveAnswers()
        live.start(5, thread: 1)
        let page = PageAnswer(id: 5, stream: "s", broadcaster: broadcaster, live: live, interval: .zero, costFactor: 0)
        page.found(sources)
        var model = ContentModel(id: 5), applied = 0, text = ""
        let answer = AnswerText()
        for piece in markdown.pieces(of: pieceSize) {
            text += piece
            answer.append(piece)
            page.text(answer, delta: piece)
            for frame in broadcaster.frames[applied...] { for envelope in frame.envelopes { model.apply(envelope) } }
            applied = broadcaster.frames.count
            #expect(model.html == Markup.answerHTML(PageAnswer.renderable(text), message: 5, sources: sources))
            #expect(!model.html.contains("[9") && !model.html.hasSuffix("[</p>\n"), "after \(text.debugDescription)")
        }
        page.finished(AnswerOutcome(status: .complete, text: text, error: nil, sources: sources), save: {})
        let end = broadcaster.frames[applied...].flatMap(\.envelopes)
        for envelope in end { model.apply(envelope) }
        #expect(model.html == Markup.answerHTML(markdown, message: 5, sources: sources))
        #expect(model.html.contains(#"<a href="/messages/5/sources/2#passage" title="Stone 2">[2]</a>"#))
        #expect(model.html.contains("<code>a[1]</code> list[2]"))
        #expect(end.contains { $0.html.contains("<summary>3 sources cited</summary>") })
    }

    @Test(arguments: streams)
    func throttledTheEndIsStillExact(stream: (name: String, markdown: String)) {
        let (model, broadcaster, _) = self.stream(stream.markdown, pieceSize: 2, interval: .seconds(3600))
        #expect(model.html == Markdown.html(stream.markdown), "\(stream.name)")
        let lines = stream.markdown.filter { $0 == "\n" }.count
        #expect(broadcaster.frames.count <= lines + 2, "one frame per new line, the first piece, and the end")
    }

    @Test func theEndCollapsesThinkingAddsSourcesAndClearsTheStreamingMark() {
        let broadcaster = RecordingBroadcaster(), live = LiveAnswers()
        live.start(9, thread: 1)
        let page = PageAnswer(id: 9, stream: "s", broadcaster: broadcaster, live: live, interval: .zero)
        page.step("Searching knowledge base…")
        page.text(AnswerText("Hello"), delta: "Hello")
        let source = SourceRecord(rank: 1, chunkID: 3, documentTitle: "Guide <b>", headingPath: "A › B", excerpt: "x & y",
                                  score: 1, distance: nil, relevance: 87)
        page.finished(AnswerOutcome(status: .complete, text: "Hello", error: nil, sources: [source]), save: {})
        let last = broadcaster.frames.last!.envelopes
        #expect(last.contains { $0.action == .replace && $0.target == .id("thinking-9") && $0.html.contains("Thinking complete")
            && !$0.html.contains(" open") && $0.html.contains("Searching knowledge base…") })
        #expect(last.contains { $0.action == .after && $0.html.contains("Guide &lt;b&gt;") && $0.html.contains("87%")
            && $0.html.contains("x &amp; y") && $0.html.contains("1 source used") })
        #expect(last.contains { $0.target == .id("message-state-9") && $0.html.contains("data-status=\"complete\"") })
        #expect(last.contains { $0.action == .scroll })
    }

    @Test func anErrorKeepsTheTextAndOffersRetry() {
        let broadcaster = RecordingBroadcaster(), live = LiveAnswers()
        live.start(9, thread: 1)
        let page = PageAnswer(id: 9, stream: "s", broadcaster: broadcaster, live: live, interval: .zero)
        page.text(AnswerText("Partial"), delta: "Partial")
        page.finished(AnswerOutcome(status: .error, text: "Partial", error: "The answer was cut off.", sources: []), save: {})
        let after = broadcaster.frames.last!.envelopes.first { $0.action == .after }!
        #expect(after.html.contains("role=\"alert\">The answer was cut off.</p>"))
        #expect(after.html.contains("data-retry=\"9\""))
    }

    /// A 1,000-token answer: the payload is the final HTML plus a small envelope per update (the seed resends the
    /// whole answer every time: quadratic).
    @Test func bytesGrowWithTheAnswerNotItsSquare() {
        var markdown = "", n = 0
        while markdown.split(separator: " ").count < 1_000 {
            n += 1
            markdown += n % 7 == 0 ? "\n\n## Part \(n)\n\n" : n % 5 == 0 ? "\n\n- item \(n) with **bold** text\n- and `code` \(n)\n\n"
                : "Sentence \(n) about granite, *marble* and slate, with a [link](https://example.org/\(n)). "
        }
        let words = markdown.split(separator: " ", omittingEmptySubsequences: false).map { String($0) + " " }
        let broadcaster = RecordingBroadcaster(), live = LiveAnswers()
        live.start(5, thread: 1)
        let page = PageAnswer(id: 5, stream: "s", broadcaster: broadcaster, live: live, interval: .zero)
        var text = ""
        let answer = AnswerText()
        for word in words {
            text += word
            answer.append(word)
            page.text(answer, delta: word)
        }
        let contentFrames = broadcaster.frames
        page.finished(AnswerOutcome(status: .complete, text: text, error: nil, sources: []), save: {})
        let payload = contentFrames.flatMap(\.envelopes).map { $0.rendered.utf8.count }.reduce(0, +)
        let final = Markdown.html(text).utf8.count
        #expect(payload <= final + 150 * contentFrames.count, "payload \(payload) B for \(final) B of HTML in \(contentFrames.count) updates")
    }
}

/// What a model can make the page cost (issue 11): a render is bounded by `Markdown.Limits`, and renders are paced
/// by their own cost.
@Suite struct PageAnswerCostTests {
    /// The attack: a 1,000-column header, then short rows, streamed a few characters at a time. cmark made
    /// 1,000 cells of every row on every render (26 s of CPU for 6.6 KB); now the table reads as its text and the
    /// bytes sent are about the text's.
    @Test func aThousandColumnTableCostsItsText() {
        let markdown = "Here:\n\n|" + String(repeating: "a|", count: 1_000) + "\n|" + String(repeating: "-|", count: 1_000) + "\n"
            + (0..<200).map { "|\($0)|\n" }.joined()
        let (model, broadcaster, _) = PageAnswerTests().stream(markdown, pieceSize: 7, interval: .zero)
        #expect(model.html == Markdown.html(markdown))
        #expect(!model.html.contains("<table") && !model.html.contains("<td"))
        let payload = broadcaster.frames.flatMap(\.envelopes).map { $0.rendered.utf8.count }.reduce(0, +)
        #expect(payload < 3 * markdown.utf8.count + 150 * broadcaster.frames.count, "\(payload) B sent")
    }

    /// Issue 11 item 14: a remote image reaches the page as a link, in every frame; a data: image stays an image.
    @Test func remoteImagesNeverReachThePage() {
        let markdown = "See ![the quarry](https://evil.example/q.png) and ![dot](data:image/png;base64,iVBORw0KGgo=).\n"
        let (model, broadcaster, _) = PageAnswerTests().stream(markdown, pieceSize: 3, interval: .zero)
        let sent = broadcaster.frames.flatMap(\.envelopes).map(\.html)
        #expect(!sent.contains { $0.contains("<img src=\"https:") })
        #expect(model.html.contains("<a href=\"https://evil.example/q.png\">the quarry</a>"))
        #expect(model.html.contains("<img src=\"data:image/png"))
    }

    /// After a render, the next waits `costFactor` times its cost, even at a new line: with a factor so large that
    /// the wait outlasts the test, only the first piece and the end are sent, and the end is still exact.
    @Test func rendersWaitForTheirOwnCost() {
        let markdown = (0..<40).map { "Line \($0) of text.\n" }.joined()
        let (model, broadcaster, _) = PageAnswerTests().stream(markdown, pieceSize: 5, interval: .zero,
                                                               costFactor: 100_000_000)
        #expect(broadcaster.frames.count == 2)
        #expect(model.html == Markdown.html(markdown))
    }

    @Test(arguments: [
        // (elapsed ms, interval ms, at a new line, last render ms, factor, wait ms)
        (0, 100, false, 1, 8, 100),
        (0, 100, true, 1, 8, 8),         // a new line does not wait for the interval, only for the cost
        (50, 100, true, 0, 8, -50),      // a cheap render: at once
        (120, 100, false, 30, 8, 120),   // a costly render waits longer than the interval
        (300, 100, true, 30, 8, -60),
        (0, 0, false, 5, 0, 0),          // factor 0: unpaced
    ])
    func theWait(elapsed: Int, interval: Int, newLine: Bool, cost: Int, factor: Int, wait: Int) {
        #expect(PageAnswer.wait(elapsed: .milliseconds(elapsed), interval: .milliseconds(interval), now: newLine,
                                renderCost: .milliseconds(cost), costFactor: factor) == .milliseconds(wait))
    }
}

/// What is held back while it is being typed.
@Suite struct RenderableTests {
    @Test(arguments: [
        ("Granite is har", "Granite is har"),                                   // prose goes word by word
        ("| a | b |\n| --- | --- |\n| 1 | tw", "| a | b |\n| --- | --- |\n"),    // a table row waits for its end
        ("  | a", ""),
        ("```swift\nlet a = 1\nlet b", "```swift\nlet a = 1\n"),               // a line of code waits
        ("```swift\nlet a = 1\n```\nAfter", "```swift\nlet a = 1\n```\nAfter"), // a closed fence does not
        ("~~~\ncode\n```\nstill code", "~~~\ncode\n```\n"),                     // ``` does not close ~~~
        ("````\n```\nin", "````\n```\n"),                                        // a shorter fence does not close
        ("``` not a fence ` here\nText", "``` not a fence ` here\nText"),        // a backtick in its info: no fence
        ("Title\n-", "Title\n"),                                                 // markers alone wait
        ("Para\n\n- item", "Para\n\n- item"),
        ("Para\n\n> quo", "Para\n\n> quo"),
        ("No new line yet", "No new line yet"),
        ("Ends with a new line\n", "Ends with a new line\n"),
    ])
    func heldBackWhileTyped(text: String, rendered: String) {
        #expect(PageAnswer.renderable(text) == rendered)
    }
}

/// The end is saved inside the publish that sends it, before the answer leaves LiveAnswers: a snapshot on any host
/// sees the answer in progress with nothing saved, or its end saved and sent, never one without the other.
@Suite struct PageAnswerEndTests {
    final class InsidePublish: Broadcaster, @unchecked Sendable {
        let inside = Locked(false)
        func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
            inside.withLock { $0 = true }
            _ = update()
            inside.withLock { $0 = false }
        }
        func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {}
    }

    @Test func theEndIsSavedInsideThePublishThatSendsIt() {
        let broadcaster = InsidePublish(), live = LiveAnswers()
        live.start(5, thread: 1)
        let page = PageAnswer(id: 5, stream: "s", broadcaster: broadcaster, live: live, interval: .zero)
        let seen = Locked<[(inside: Bool, live: Bool)]>([])
        page.finished(AnswerOutcome(status: .complete, text: "Granite.", error: nil, sources: []), save: {
            seen.withLock { $0.append((broadcaster.inside.current, live[5] != nil)) }
        })
        #expect(seen.current.map(\.inside) == [true] && seen.current.map(\.live) == [true])
        #expect(live[5] == nil)
        // An answer no page follows any more is saved all the same.
        let gone = PageAnswer(id: 6, stream: "s", broadcaster: broadcaster, live: live, interval: .zero)
        let saved = Locked(0)
        gone.finished(AnswerOutcome(status: .stopped, text: "", error: "Stopped.", sources: []), save: {
            saved.withLock { $0 += 1 }
        })
        #expect(saved.current == 1)
    }
}
