@testable import Chat
import Contracts
import Locking
import SQLite
import StandIn
import Store
import TestSupport
import Testing
import TurboStream

/// An answer streams on while another process holds the database's write lock (issue 11): its checkpoints are
/// skipped, not waited for, and its end is saved once the lock is free.
@Suite struct BusyDatabaseAnswerTests {
    /// Another process's connection, taken from inside the chat's publish.
    final class Holder: @unchecked Sendable {
        let lock = Lock()
        var connection: Connection?
        var taken = false
    }

    /// "w1 w2 … w40", streamed a word at a time; the stand-in stalls after the 30th, so the answer's end (which
    /// is saved, and so waits for the lock) never comes before the test has seen what it needs.
    static let words = "dzEgdzIgdzMgdzQgdzUgdzYgdzcgdzggdzkgdzEwIHcxMSB3MTIgdzEzIHcxNCB3MTUgdzE2IHcxNyB3MTggdzE5IHcyMCB3MjEgdzIy"
        + "IHcyMyB3MjQgdzI1IHcyNiB3MjcgdzI4IHcyOSB3MzAgdzMxIHczMiB3MzMgdzM0IHczNSB3MzYgdzM3IHczOCB3MzkgdzQw"

    @Test func anAnswerStreamsOnWhileAnotherProcessHoldsTheWriteLock() async throws {
        try await withTemporaryDirectoryAsync { folder in
            // A checkpoint at every word, and a busy timeout of two minutes: a checkpoint that waited for the lock
            // would hold the stream far longer than the test waits.
            let f = try ChatFixture(folder: folder,
                                    configuration: ChatConfiguration(updateInterval: .zero, checkpointInterval: .zero),
                                    standIn: StandInConfiguration(tokensPerSecond: 200), storeBusyTimeout: .seconds(120))
            defer { f.stop() }
            let holder = Holder()
            let path = folder + "/chat.db"
            // The moment the first word reaches the page, another process takes the write lock and keeps it.
            f.broadcaster.afterEachPublish { envelopes in
                guard envelopes.contains(where: { $0.html.contains("w1") }) else { return }
                holder.lock.withLock {
                    guard !holder.taken else { return }
                    holder.taken = true
                    let other = try? Connection(path: path)
                    try? other?.execute("BEGIN IMMEDIATE")
                    holder.connection = other
                }
            }
            f.service.handle(.ask(thread: nil, content: faulty("answer=\(Self.words),stall-after=30")),
                             from: ChatFixture.client("s1"))
            // The 30th word reaches the page while the lock is held: the stream did not wait for a checkpoint.
            try await f.until {
                holder.lock.withLock { holder.taken }
                    && f.broadcaster.frames.flatMap(\.envelopes).contains { $0.html.contains("w30") }
            }
            let answer = try #require(f.service.live.answerIDs.first)
            f.service.handle(.stop(message: String(answer)), from: ChatFixture.client("s1"))
            // The lock is let go; the end, which waited for it, is saved with every word that arrived.
            try holder.lock.withLock { try holder.connection?.execute("COMMIT") }
            try await f.until { f.service.answersInProgress == 0 }
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .stopped)
            #expect(message.content.hasPrefix((1...30).map { "w\($0)" }.joined(separator: " ")))
        }
    }
}
