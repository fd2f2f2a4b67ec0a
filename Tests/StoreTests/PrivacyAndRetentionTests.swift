import TestSupport
import SQLite
import Store
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The database file's permissions, and retention of idle conversations.
@Suite struct PrivacyAndRetentionTests {
    /// The permission bits of `path`, or nil when it does not exist.
    static func mode(_ path: String) -> UInt32? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt32(info.st_mode & 0o777) : nil
    }

    @Test func aNewDatabaseAndItsWALAreReadableByTheirOwnerOnly() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            let previous = umask(0o022)
            defer { umask(previous) }
            let store = try Store(path: path)
            _ = try store.serverSecret(environment: nil)
            #expect(Self.mode(path) == 0o600)
            #expect(Self.mode(path + "-wal") == 0o600)
            #expect(Self.mode(path + "-shm") == 0o600)
        }
    }

    @Test func anExistingWorldReadableDatabaseIsMadePrivate() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            try Connection(path: path).execute("CREATE TABLE left_by_an_older_quarry (x)")
            chmod(path, 0o644)
            _ = try Store(path: path)
            #expect(Self.mode(path) == 0o600)
        }
    }

    /// Stores an exchange in a new thread of `session`, then moves its times `daysAgo` into the past.
    static func exchange(_ store: Store, _ db: Connection, session: String, daysAgo: Int64, streaming: Bool = false)
        throws -> Int64
    {
        let exchange = try #require(try store.startExchange(session: session, thread: nil, title: "t", question: "q?"))
        let then = Int64(time(nil)) - daysAgo * 86_400
        try db.run("UPDATE threads SET updated_at = ? WHERE id = ?", then, exchange.thread.id)
        try db.run("UPDATE sessions SET last_seen_at = ? WHERE id = ?", then, session)
        try db.run("UPDATE messages SET status = ? WHERE id = ?", streaming ? "streaming" : "complete", exchange.answer)
        return exchange.thread.id
    }

    @Test func idleConversationsAreRemovedAndRecentOrStreamingOnesKept() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            let db = try Connection(path: "\(folder)/quarry.db")
            let old = try Self.exchange(store, db, session: "gone", daysAgo: 40)
            let recent = try Self.exchange(store, db, session: "mixed", daysAgo: 40)
            try db.run("UPDATE threads SET updated_at = ? WHERE id = ?", Int64(time(nil)) - 86_400, recent)
            let stillStreaming = try Self.exchange(store, db, session: "busy", daysAgo: 40, streaming: true)
            let sweep = try store.removeIdleConversations(idle: 30 * 86_400, now: nil, batch: 1)
            #expect(sweep == RetentionSweep(threads: 1, sessions: 1))
            let threads = try db.query("SELECT id FROM threads ORDER BY id").map { $0[0].int64 }
            #expect(threads == [recent, stillStreaming])
            #expect(try db.query("SELECT count(*) FROM messages WHERE thread_id = ?", old).first?[0].int == 0)
            #expect(try db.query("SELECT count(*) FROM jobs").first?[0].int == 2)
            let sessions = try db.query("SELECT id FROM sessions ORDER BY id").map { $0[0].string }
            #expect(sessions == ["busy", "mixed"])
        }
    }

    @Test func aKioskVisitorsSessionGoesWithAllItsThreadsEvenOneStillStreaming() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            let db = try Connection(path: "\(folder)/quarry.db")
            _ = try Self.exchange(store, db, session: "visitor", daysAgo: 0)
            _ = try Self.exchange(store, db, session: "visitor", daysAgo: 0, streaming: true)
            let other = try Self.exchange(store, db, session: "next", daysAgo: 0)
            #expect(try store.removeSession("visitor") == 2)
            #expect(try db.query("SELECT id FROM threads").map { $0[0].int64 } == [other])
            #expect(try db.query("SELECT count(*) FROM messages WHERE thread_id != ?", other).first?[0].int == 0)
            #expect(try db.query("SELECT id FROM sessions").map { $0[0].string } == ["next"])
            #expect(try store.removeSession("visitor") == 0, "a second start over finds nothing")
        }
    }

    @Test func manyIdleThreadsGoInSeveralShortTransactions() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            let db = try Connection(path: "\(folder)/quarry.db")
            for index in 0..<25 { _ = try Self.exchange(store, db, session: "s\(index % 3)", daysAgo: 100) }
            #expect(try store.removeIdleConversations(idle: 30 * 86_400, now: nil, batch: 4)
                    == RetentionSweep(threads: 25, sessions: 3))
            #expect(try db.query("SELECT count(*) FROM messages").first?[0].int == 0)
        }
    }
}
