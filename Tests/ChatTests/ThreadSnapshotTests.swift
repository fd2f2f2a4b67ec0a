// A thread's snapshot a part at a time (its latest exchanges, earlier ones on request) and its answers' HTML kept.
@testable import Chat
import Contracts
import Markdown
import SQLite
import Store
import TestSupport
import Testing
import TurboStream

@Suite struct ThreadSnapshotTests {
    /// `count` ended exchanges in one thread of session s1, written straight to the store.
    func seed(_ store: Store, _ count: Int) throws -> (thread: Int64, answers: [Int64]) {
        var thread: Int64?
        var answers: [Int64] = []
        for i in 0..<count {
            let exchange = try #require(try store.startExchange(session: "s1", thread: thread, title: "t", question: "q\(i)"))
            thread = exchange.thread.id
            try store.finishAnswer(message: exchange.answer, content: "Answer **\(i)**", thinking: "", status: .complete,
                                   model: nil, error: nil, sources: [])
            answers.append(exchange.answer)
        }
        return (thread!, answers)
    }

    func articles(_ html: String) -> [Int64] {
        html.matches(of: /<article id="message-(\d+)"/).map { Int64($0.1)! }
    }

    @Test func aThousandExchangeThreadOpensAtItsEndAndIsReadBackToItsStart() throws {
        try withTemporaryDirectory { folder in
            let f = try ChatFixture(folder: folder, model: false)
            let (thread, answers) = try seed(f.store, 1_000)
            let stream = ChatStreams.thread(thread, session: "s1")
            let first = f.service.snapshot(of: stream, .latest(limit: 20))
            #expect(first.map(\.action) == [.update, .scroll])
            var shown = articles(first[0].html)
            #expect(shown.count == 40 && shown.last == answers.last)
            var cursor = try #require(first[0].html.firstMatch(of: /data-earlier="(\d+)"/).map { String($0.1) })
            #expect(Int64(cursor) == shown.first)
            var parts = 1
            while true {
                let part = f.service.snapshot(of: stream, .earlier(before: cursor, limit: 20))
                #expect(part.map(\.action) == [.remove, .prepend])
                #expect(part.first?.target == .id(Wire.ElementID.earlierControl))
                shown = articles(part[1].html) + shown
                parts += 1
                guard let next = part[1].html.firstMatch(of: /data-earlier="(\d+)"/).map({ String($0.1) }) else { break }
                cursor = next
            }
            #expect(parts == 50)
            #expect(shown == (try f.store.messages(thread: thread)).map(\.id))
        }
    }

    @Test func anEndedAnswersHTMLIsRenderedOnceAndKept() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            let (thread, answers) = try seed(f.store, 3)
            let stream = ChatStreams.thread(thread, session: "s1")
            let db = try Connection(path: "\(folder)/chat.db")
            func kept() throws -> Int {
                try db.query("SELECT count(*) FROM messages WHERE content_html IS NOT NULL AND content_html_renderer = ?",
                             Markup.renderer).first?[0].int ?? 0
            }
            #expect(try kept() == 0)
            let first = f.service.snapshot(of: stream, .latest(limit: 20))[0].html
            #expect(first.contains(Markdown.html("Answer **1**")))
            // The renders are kept after the snapshot went (off its path): all three, once.
            try await f.until { try kept() == 3 }
            // Later snapshots use what was kept, not the renderer: a marker put in its place is what they show.
            try db.run("UPDATE messages SET content_html = '<p>kept, not rendered</p>' WHERE id = ?", answers[1])
            let second = f.service.snapshot(of: stream, .latest(limit: 20))[0].html
            #expect(second.contains("<p>kept, not rendered</p>"))
            #expect(!second.contains(Markdown.html("Answer **1**")))
            #expect(second.contains(Markdown.html("Answer **2**")))
            // Made by another renderer (an older Quarry): rendered anew.
            try db.run("UPDATE messages SET content_html_renderer = content_html_renderer + 1 WHERE id = ?", answers[1])
            #expect(f.service.snapshot(of: stream, .latest(limit: 20))[0].html.contains(Markdown.html("Answer **1**")))
        }
    }

    @Test func enormousAnswersComeFewerAtATimeButAlwaysAtLeastOne() throws {
        try withTemporaryDirectory { folder in
            let f = try ChatFixture(folder: folder, model: false)
            // Answers of 40% of a part's bytes: two fit in a part, a third does not; one alone is over it.
            var thread: Int64?
            var questions: [Int64] = []
            for size in [ChatService.partBytes * 2 / 5, ChatService.partBytes * 2 / 5, ChatService.partBytes * 2 / 5,
                         ChatService.partBytes * 3 / 2] {
                let exchange = try #require(try f.store.startExchange(session: "s1", thread: thread, title: "t", question: "q"))
                thread = exchange.thread.id
                questions.append(exchange.question)
                try f.store.finishAnswer(message: exchange.answer, content: String(repeating: "word ", count: size / 5),
                                         thinking: "", status: .complete, model: nil, error: nil, sources: [])
            }
            let stream = ChatStreams.thread(thread!, session: "s1")
            func part(_ request: SnapshotRequest) -> (questions: [Int64], cursor: String?) {
                let html = f.service.snapshot(of: stream, request).first { $0.action != .remove }!.html
                return (html.matches(of: /<article id="message-(\d+)" class="message" data-role="user"/).map { Int64($0.1)! },
                        html.firstMatch(of: /data-earlier="(\d+)"/).map { String($0.1) })
            }
            let latest = part(.latest(limit: 20))
            #expect(latest.questions == [questions[3]] && latest.cursor == "\(questions[3])")
            let second = part(.earlier(before: latest.cursor!, limit: 20))
            #expect(second.questions == [questions[1], questions[2]] && second.cursor == "\(questions[1])")
            let third = part(.earlier(before: second.cursor!, limit: 20))
            #expect(third.questions == [questions[0]] && third.cursor == nil)
        }
    }

    @Test func anEarlierPartOfAnotherSessionsThreadIsNotGiven() throws {
        try withTemporaryDirectory { folder in
            let f = try ChatFixture(folder: folder, model: false)
            let (thread, answers) = try seed(f.store, 3)
            #expect(f.service.snapshot(of: "session/intruder/thread/\(thread)", .earlier(before: "\(answers[2])", limit: 20)).isEmpty)
            #expect(f.service.snapshot(of: ChatStreams.thread(thread, session: "s1"), .earlier(before: "x", limit: 20)).isEmpty)
        }
    }
}
