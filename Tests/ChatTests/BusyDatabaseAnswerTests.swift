@testable import Chat
import Locking
import Server
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

    @Test func anAnswerStreamsToItsEndWhileAnotherProcessHoldsTheWriteLock() async throws {
        try await withTemporaryDirectoryAsync { folder in
            // A checkpoint at every piece of text, and a busy timeout of two minutes: a checkpoint that waited for
            // the lock would hold the stream far longer than the test waits.
            let f = try ChatFixture(folder: folder,
                                    configuration: ChatConfiguration(updateInterval: .zero, checkpointInterval: .zero),
                                    standIn: StandInConfiguration(tokensPerSecond: 200), storeBusyTimeout: .seconds(120))
            let holder = Holder()
            let path = folder + "/chat.db"
            // The moment the first words reach the page, another process takes the write lock and keeps it.
            f.broadcaster.afterEachPublish { envelopes in
                guard envelopes.contains(where: { $0.html.contains("Quarry") }) else { return }
                holder.lock.withLock {
                    guard !holder.taken else { return }
                    holder.taken = true
                    let other = try? Connection(path: path)
                    try? other?.execute("BEGIN IMMEDIATE")
                    holder.connection = other
                }
            }
            f.service.handle(.ask(thread: nil, content: "Where is the café?"), from: ChatFixture.client("s1"))
            // The list's last item, published once the paragraph after it begins (the answer's last words come with
            // its end, which is saved first).
            try await f.until {
                holder.lock.withLock { holder.taken }
                    && f.broadcaster.frames.flatMap(\.envelopes).contains { $0.html.contains("sign for them in") }
            }
            // The answer streamed on while the lock was held; now it is let go, and the end is saved.
            try holder.lock.withLock { try holder.connection?.execute("COMMIT") }
            let answer = try await f.eventually {
                try f.store.threads(session: "s1").flatMap { try f.store.messages(thread: $0.id) }
                    .first { $0.role == "assistant" && $0.status == .complete }
            }
            #expect(answer.content == StandInConfiguration.defaultAnswer)
        }
    }
}
