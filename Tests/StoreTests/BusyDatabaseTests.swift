import TestSupport
import SQLite
import Store
import Testing

/// A growing answer's checkpoint while another process holds the database's write lock.
@Suite struct BusyDatabaseTests {
    @Test func aCheckpointIsSkippedNotWaitedForWhileAnotherWriterHoldsTheLock() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            // The default busy timeout (5 s): a plain write would wait that long, then fail.
            let store = try Store(path: path)
            let exchange = try #require(try store.startExchange(session: "s", thread: nil, title: "t", question: "q?"))
            let other = try Connection(path: path)
            try other.execute("BEGIN IMMEDIATE")
            #expect(try store.checkpointIfFree(message: exchange.answer, content: "half", thinking: "") == false)
            try other.execute("COMMIT")
            #expect(try store.checkpointIfFree(message: exchange.answer, content: "half an answer", thinking: "") == true)
            #expect(try store.message(exchange.answer)?.content == "half an answer")
            // The connection's own busy timeout is back: a write waits for a lock again (here: none is held).
            try store.checkpoint(message: exchange.answer, content: "more", thinking: "")
            #expect(try store.message(exchange.answer)?.content == "more")
        }
    }
}
