// Conversations: a browser session's threads, their messages (the answer's text checkpointed as it grows), the
// sources an answer used, and the jobs that produce answers. Every write that belongs together is one transaction.
internal import SQLite

/// Where an answer is in its life.
public enum MessageStatus: String, Sendable, CaseIterable {
    /// Its answer is arriving (or waiting for a turn to start).
    case streaming
    /// Finished.
    case complete
    /// Ended by a failure; `error` says what, the text so far is kept.
    case error
    /// The server stopped while it was being written (found so at start).
    case interrupted
    /// Stopped by the person who asked.
    case stopped
}

/// A thread, as its list shows it.
public struct ThreadRecord: Sendable, Equatable {
    public var id: Int64
    public var sessionID: String
    public var title: String
    /// Seconds since 1970 of the last message.
    public var updatedAt: Int64
}

/// A message of a thread.
public struct MessageRecord: Sendable, Equatable {
    public var id: Int64
    public var threadID: Int64
    /// `user` or `assistant`.
    public var role: String
    public var content: String
    /// The thinking steps, one per line.
    public var thinking: String
    public var status: MessageStatus
    public var model: String?
    /// What went wrong, for the person reading (when `status` is error, interrupted or stopped).
    public var error: String?
}

/// A source an answer used, as its list shows it.
public struct SourceRecord: Sendable, Equatable {
    public var rank: Int
    public var chunkID: Int64?
    public var documentTitle: String
    public var headingPath: String
    public var excerpt: String
    /// The ranking's score (higher is better).
    public var score: Double
    /// The cosine distance (1 − similarity), when embeddings were used.
    public var distance: Double?
    /// The percentage shown.
    public var relevance: Int
    /// The pages of the passage, in a document with pages.
    public var pages: ClosedRange<Int>?

    public init(rank: Int, chunkID: Int64?, documentTitle: String, headingPath: String, excerpt: String,
                score: Double, distance: Double?, relevance: Int, pages: ClosedRange<Int>? = nil) {
        self.pages = pages
        self.rank = rank
        self.chunkID = chunkID
        self.documentTitle = documentTitle
        self.headingPath = headingPath
        self.excerpt = excerpt
        self.score = score
        self.distance = distance
        self.relevance = relevance
    }
}

extension Store {
    /// Stores a question and an empty answer (status streaming, its job queued), in `thread` or, when nil, in a
    /// new thread of `session` titled `title`. The session is recorded if new.
    /// - Returns: the thread (nil if `thread` is not one of the session's), the question's and the answer's ids,
    ///   and whether the thread is new.
    public func startExchange(session: String, thread: Int64?, title: String, question: String)
        throws(StoreError) -> (thread: ThreadRecord, question: Int64, answer: Int64, isNew: Bool)?
    {
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> (ThreadRecord, Int64, Int64, Bool)? in
                let now = Self.now()
                try db.run("""
                    INSERT INTO sessions (id, created_at, last_seen_at) VALUES (?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET last_seen_at = excluded.last_seen_at
                    """, session, now, now)
                var record: ThreadRecord
                let isNew = thread == nil
                if let thread {
                    guard let row = try db.query("SELECT title FROM threads WHERE id = ? AND session_id = ?", thread, session).first
                    else { return nil }
                    record = ThreadRecord(id: thread, sessionID: session, title: row[0].string ?? "", updatedAt: now)
                    try db.run("UPDATE threads SET updated_at = ? WHERE id = ?", now, thread)
                } else {
                    try db.run("INSERT INTO threads (session_id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                               session, title, now, now)
                    record = ThreadRecord(id: db.lastInsertRowID, sessionID: session, title: title, updatedAt: now)
                }
                let insert = "INSERT INTO messages (thread_id, role, content, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                try db.run(insert, record.id, "user", question, MessageStatus.complete.rawValue, now, now)
                let questionID = db.lastInsertRowID
                try db.run(insert, record.id, "assistant", "", MessageStatus.streaming.rawValue, now, now)
                let answerID = db.lastInsertRowID
                try db.run("""
                    INSERT INTO jobs (message_id, state, created_at, updated_at, host, lease_until)
                    VALUES (?, 'queued', ?, ?, ?, ?)
                    """, answerID, now, now, host.name, now + host.lease)
                return (record, questionID, answerID, isNew)
            }
        }
    }

    /// Puts a finished answer back to the start of its life (status streaming, no text, no sources, its job
    /// queued again), for a retry. Returns false if it is not an answer of one of `session`'s threads that has
    /// ended without completing.
    public func restartAnswer(_ message: Int64, session: String) throws(StoreError) -> Bool {
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> Bool in
                let now = Self.now()
                try db.run("""
                    UPDATE messages SET content = '', thinking = '', status = 'streaming', error = NULL, model = NULL,
                        content_html = NULL, content_html_renderer = NULL, updated_at = ?
                    WHERE id = ? AND role = 'assistant' AND status IN ('error', 'interrupted', 'stopped')
                      AND thread_id IN (SELECT id FROM threads WHERE session_id = ?)
                    """, now, message, session)
                guard db.changes == 1 else { return false }
                try db.run("DELETE FROM message_sources WHERE message_id = ?", message)
                try db.run("""
                    INSERT INTO jobs (message_id, state, created_at, updated_at, host, lease_until)
                    VALUES (?1, 'queued', ?2, ?2, ?3, ?4)
                    ON CONFLICT(message_id) DO UPDATE SET state = 'queued', attempts = attempts + 1, updated_at = ?2,
                        host = ?3, lease_until = ?4
                    """, message, now, host.name, now + host.lease)
                return true
            }
        }
    }

    /// The thread `message` belongs to, if it is one of `session`'s.
    public func thread(ofMessage message: Int64, session: String) throws(StoreError) -> ThreadRecord? {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT t.id, t.session_id, t.title, t.updated_at FROM messages m JOIN threads t ON t.id = m.thread_id
                WHERE m.id = ? AND t.session_id = ?
                """, message, session).first.map(Self.threadRecord)
        }
    }

    /// The thread with this id, if it is one of `session`'s.
    public func thread(_ id: Int64, session: String) throws(StoreError) -> ThreadRecord? {
        try withReader { db throws(SQLiteError) in
            try db.query("SELECT id, session_id, title, updated_at FROM threads WHERE id = ? AND session_id = ?", id, session)
                .first.map(Self.threadRecord)
        }
    }

    /// A session's threads, most recently active first, at most `limit`.
    public func threads(session: String, limit: Int) throws(StoreError) -> [ThreadRecord] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT id, session_id, title, updated_at FROM threads WHERE session_id = ?
                ORDER BY updated_at DESC, id DESC LIMIT ?
                """, session, limit).map(Self.threadRecord)
        }
    }

    /// A thread's messages, oldest first.
    public func messages(thread: Int64) throws(StoreError) -> [MessageRecord] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT id, thread_id, role, content, thinking, status, model, error FROM messages
                WHERE thread_id = ? ORDER BY id
                """, thread).map(Self.messageRecord)
        }
    }

    /// One message.
    public func message(_ id: Int64) throws(StoreError) -> MessageRecord? {
        try withReader { db throws(SQLiteError) in
            try db.query("SELECT id, thread_id, role, content, thinking, status, model, error FROM messages WHERE id = ?", id)
                .first.map(Self.messageRecord)
        }
    }

    /// Saves an answer's text and thinking so far (a checkpoint; status unchanged).
    public func checkpoint(message: Int64, content: String, thinking: String) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.run("UPDATE messages SET content = ?, thinking = ?, updated_at = ? WHERE id = ? AND \(Self.ownJob)",
                       content, thinking, Self.now(), message, host.name, host.name)
        }
    }

    /// The condition (one `?`, this host's name, after the message id's) that a message's job is this host's, or of
    /// no host (older than host names, or a message without a job).
    static let ownJob = "coalesce((SELECT host FROM jobs WHERE jobs.message_id = messages.id), ?) = ?"

    /// Marks a job running on this host with a fresh lease.
    public func jobStarted(message: Int64) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            let now = Self.now()
            try db.run("""
                UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?, host = ?, lease_until = ?
                WHERE message_id = ?
                """, now, host.name, now + host.lease, message)
        }
    }

    /// No other host shares a SQLite file: 0, recording nothing.
    public func shareModelRequests(mine: Int, now: Int64?) throws(StoreError) -> Int { 0 }

    /// Always true: a SQLite file has one serving host.
    public func claimHostName() throws(StoreError) -> Bool { true }

    /// Extends the leases of this host's unfinished jobs.
    @discardableResult
    public func renewLeases() throws(StoreError) -> Int {
        try withConnection { db throws(SQLiteError) -> Int in
            try db.run("""
                UPDATE jobs SET lease_until = ? WHERE host = ? AND state IN ('queued', 'running')
                """, Self.now() + host.lease, host.name)
            return Int(db.changes)
        }
    }

    /// Interrupts the answers whose job's lease ran out, on any other host.
    public func interruptAnswersOfLostHosts(reason: String, now: Int64?) throws(StoreError) -> [LostAnswer] {
        let now = now ?? Self.now()
        return try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> [LostAnswer] in
                let lost = try db.query("""
                    SELECT j.message_id, m.thread_id, t.session_id, j.host FROM jobs j
                    JOIN messages m ON m.id = j.message_id JOIN threads t ON t.id = m.thread_id
                    WHERE j.state IN ('queued', 'running') AND j.lease_until < ? AND coalesce(j.host, '') != ?
                    """, now, host.name).map {
                    LostAnswer(message: $0[0].int64 ?? 0, thread: $0[1].int64 ?? 0, session: $0[2].string ?? "",
                               host: $0[3].string ?? "")
                }
                for answer in lost {
                    try db.run("""
                        UPDATE messages SET status = 'interrupted', error = ?, updated_at = ? WHERE id = ? AND status = 'streaming'
                        """, reason, now, answer.message)
                    try db.run("UPDATE jobs SET state = 'failed', updated_at = ? WHERE message_id = ?", now, answer.message)
                }
                return lost
            }
        }
    }

    /// Ends an answer: its final text, thinking, status, model and error, its sources, and its job, in one
    /// transaction.
    public func finishAnswer(message: Int64, content: String, thinking: String, status: MessageStatus, model: String?,
                             error: String?, sources: [SourceRecord]) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) in
                let now = Self.now()
                try db.run("""
                    UPDATE messages SET content = ?, thinking = ?, status = ?, model = ?, error = ?, updated_at = ?,
                        content_html = NULL, content_html_renderer = NULL
                    WHERE id = ? AND \(Self.ownJob)
                    """, content, thinking, status.rawValue, model, error, now, message, host.name, host.name)
                guard db.changes > 0 else { return }  // another host's now
                try Self.replaceSources(of: message, with: sources, in: db)
                try db.run("UPDATE jobs SET state = ?, updated_at = ? WHERE message_id = ?",
                           status == .complete ? "done" : "failed", now, message)
            }
        }
    }

    /// Saves the sources of an answer still being written (`finishAnswer` saves them again with its end), so
    /// that its citations can be opened while it streams.
    public func saveSources(message: Int64, sources: [SourceRecord]) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) in
                try Self.replaceSources(of: message, with: sources, in: db)
            }
        }
    }

    /// Replaces the sources of `message` with `sources`, inside the caller's transaction.
    private static func replaceSources(of message: Int64, with sources: [SourceRecord], in db: Connection) throws(SQLiteError) {
        try db.run("DELETE FROM message_sources WHERE message_id = ?", message)
        let insert = try db.prepare("""
            INSERT INTO message_sources (message_id, rank, chunk_id, document_title, heading_path, excerpt, score,
                distance, relevance, first_page, last_page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for source in sources {
            try insert.bind([message, source.rank, source.chunkID, source.documentTitle, source.headingPath,
                             source.excerpt, source.score, source.distance, source.relevance,
                             source.pages?.lowerBound, source.pages?.upperBound])
            try insert.run()
            insert.reset()
        }
    }

    /// The sources of an answer, by rank.
    public func sources(message: Int64) throws(StoreError) -> [SourceRecord] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT rank, chunk_id, document_title, heading_path, excerpt, score, distance, relevance, first_page,
                    last_page
                FROM message_sources WHERE message_id = ? ORDER BY rank
                """, message).map { Self.sourceRecord($0, from: 0) }
        }
    }

    /// The question an answer answers: the last question before it in its thread.
    public func question(answeredBy message: Int64) throws(StoreError) -> MessageRecord? {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT q.id, q.thread_id, q.role, q.content, q.thinking, q.status, q.model, q.error
                FROM messages a JOIN messages q ON q.thread_id = a.thread_id AND q.id < a.id AND q.role = 'user'
                WHERE a.id = ? ORDER BY q.id DESC LIMIT 1
                """, message).first.map(Self.messageRecord)
        }
    }

    /// The conversation before `message`, oldest first: questions and completed answers (for the model's context).
    public func history(before message: Int64, thread: Int64, limit: Int) throws(StoreError) -> [MessageRecord] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT id, thread_id, role, content, thinking, status, model, error FROM messages
                WHERE thread_id = ? AND id < ? AND (role = 'user' OR status = 'complete') ORDER BY id DESC LIMIT ?
                """, thread, message, limit).map(Self.messageRecord).reversed()
        }
    }

    /// Answers left streaming by a server that stopped (killed, power cut): marked interrupted, their jobs
    /// failed, with `reason` as their error. Run at start, before serving. Returns how many.
    @discardableResult
    public func interruptUnfinishedAnswers(reason: String) throws(StoreError) -> Int {
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> Int in
                let now = Self.now()
                try db.run("""
                    UPDATE messages SET status = 'interrupted', error = ?, updated_at = ?
                    WHERE status = 'streaming' AND \(Self.ownJob)
                    """, reason, now, host.name, host.name)
                let count = Int(db.changes)
                try db.run("""
                    UPDATE jobs SET state = 'failed', updated_at = ?
                    WHERE state IN ('queued', 'running') AND coalesce(host, ?) = ?
                    """, now, host.name, host.name)
                return count
            }
        }
    }

    static func threadRecord(_ row: Row) -> ThreadRecord {
        ThreadRecord(id: row[0].int64 ?? 0, sessionID: row[1].string ?? "", title: row[2].string ?? "",
                     updatedAt: row[3].int64 ?? 0)
    }

    static func messageRecord(_ row: Row) -> MessageRecord {
        MessageRecord(id: row[0].int64 ?? 0, threadID: row[1].int64 ?? 0, role: row[2].string ?? "",
                      content: row[3].string ?? "", thinking: row[4].string ?? "",
                      status: MessageStatus(rawValue: row[5].string ?? "") ?? .error, model: row[6].string,
                      error: row[7].string)
    }
}
