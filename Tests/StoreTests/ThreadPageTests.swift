// A thread read a part at a time, and the kept HTML of its answers (migration 5).
import SQLite
import Store
import TestSupport
import Testing

/// A thread of `count` ended exchanges; returns its id and the answers' ids, oldest first.
func seedThread(_ store: Store, exchanges count: Int, session: String = "s") throws -> (thread: Int64, answers: [Int64]) {
    var thread: Int64?
    var answers: [Int64] = []
    for i in 0..<count {
        let exchange = try #require(try store.startExchange(session: session, thread: thread, title: "t", question: "q\(i)"))
        thread = exchange.thread.id
        try store.finishAnswer(message: exchange.answer, content: "answer *\(i)*", thinking: "", status: .complete,
                               model: nil, error: nil, sources: i % 2 == 0 ? [] : [
                                   SourceRecord(rank: 1, chunkID: nil, documentTitle: "Doc \(i)", headingPath: "", excerpt: "x",
                                                score: 1, distance: nil, relevance: 50)])
        answers.append(exchange.answer)
    }
    return (thread!, answers)
}

@Suite struct ThreadPageTests {
    // How a thread is read in parts is checked on both storages in Tests/StorageTests (ConversationStorageTests).

    @Test func keptHTMLIsReturnedOnlyForItsRendererAndTheTextItWasMadeFrom() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            let (thread, answers) = try seedThread(store, exchanges: 2, session: "s")
            #expect(try store.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML.isEmpty)
            try store.keepContentHTML([(answers[0], "answer *0*", "<p>zero</p>"),
                                       (answers[1], "a text it no longer has", "<p>stale</p>")], renderer: 7)
            #expect(try store.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML == [answers[0]: "<p>zero</p>"])
            #expect(try store.threadPage(thread, before: nil, exchanges: 5, renderer: 8).contentHTML.isEmpty)
            // A retry empties it, and so does the answer's new end.
            #expect(try store.restartAnswer(answers[0], session: "s") == false)  // completed answers are not retried
            try store.finishAnswer(message: answers[0], content: "answer *0*", thinking: "", status: .stopped, model: nil,
                                   error: nil, sources: [])
            #expect(try store.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML.isEmpty)
            try store.keepContentHTML([(answers[0], "answer *0*", "<p>zero</p>")], renderer: 7)
            #expect(try store.restartAnswer(answers[0], session: "s"))
            let db = try Connection(path: "\(folder)/quarry.db")
            #expect(try db.query("SELECT content_html FROM messages WHERE id = ?", answers[0]).first?[0] == .null)
            // While it streams again, nothing is kept for it.
            try store.keepContentHTML([(answers[0], "", "<p>empty</p>")], renderer: 7)
            #expect(try db.query("SELECT content_html FROM messages WHERE id = ?", answers[0]).first?[0] == .null)
        }
    }
}
