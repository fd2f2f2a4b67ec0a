// Retention: conversations nobody has touched for a while are removed, so a box that serves anyone who walks up
// does not keep every question forever and its database does not grow without end. A thread goes with its
// messages, their sources and jobs (the foreign keys cascade); a session goes once it has no threads left and has
// not been seen for as long. A thread with an answer still streaming is never removed.
internal import SQLite

/// What one pass of retention removed.
public struct RetentionSweep: Sendable, Equatable {
    public var threads = 0
    public var sessions = 0

    public init(threads: Int = 0, sessions: Int = 0) {
        self.threads = threads
        self.sessions = sessions
    }
}

extension Store {
    /// Removes the threads last updated more than `idle` seconds before `now`, and the sessions with no threads
    /// left that were last seen as long ago (`now`: seconds since 1970, the current time when nil). Works in transactions of at most `batch` threads, so that answers
    /// being saved meanwhile wait at most one short transaction.
    public func removeIdleConversations(idle: Int64, now: Int64?, batch: Int)
        throws(StoreError) -> RetentionSweep
    {
        let cutoff = (now ?? Self.now()) - idle
        var sweep = RetentionSweep()
        while true {
            let removed = try withConnection { db throws(SQLiteError) -> Int in
                try db.run("""
                    DELETE FROM threads WHERE id IN (
                        SELECT t.id FROM threads AS t
                        WHERE t.updated_at < ?
                          AND NOT EXISTS (SELECT 1 FROM messages AS m WHERE m.thread_id = t.id AND m.status = 'streaming')
                        LIMIT ?)
                    """, cutoff, batch)
                return Int(db.changes)
            }
            sweep.threads += removed
            if removed < batch { break }
        }
        sweep.sessions = try withConnection { db throws(SQLiteError) -> Int in
            try db.run("""
                DELETE FROM sessions
                WHERE last_seen_at < ? AND NOT EXISTS (SELECT 1 FROM threads WHERE threads.session_id = sessions.id)
                """, cutoff)
            return Int(db.changes)
        }
        return sweep
    }
}

extension Store {
    /// Removes a session with all its threads (their messages, sources and jobs cascade), for a kiosk visitor who
    /// started over. Stop its answers first: an answer still streaming is removed all the same.
    /// - Returns: how many threads went.
    @discardableResult
    public func removeSession(_ session: String) throws(StoreError) -> Int {
        try withConnection { db throws(SQLiteError) -> Int in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> Int in
                try db.run("DELETE FROM threads WHERE session_id = ?", session)
                let threads = Int(db.changes)
                try db.run("DELETE FROM sessions WHERE id = ?", session)
                return threads
            }
        }
    }
}
