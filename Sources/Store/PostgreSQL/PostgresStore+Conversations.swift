// Conversations on PostgreSQL: the same requirements as Store+Conversations.swift, Store+ThreadPages.swift,
// Store+Reading.swift and Store+Retention.swift (ConversationStorage states them), each one transaction or one
// consistent read, so that several hosts writing the same database never see half of one.
internal import Postgres

extension PostgresStore: ConversationStorage {
    /// The columns a `MessageRecord` is read from, in `messageRecord(_:)`'s order.
    private static let messageColumns = "id, thread_id, role, content, thinking, status, model, error"

    public func startExchange(session: String, thread: Int64?, title: String, question: String)
        throws(StoreError) -> (thread: ThreadRecord, question: Int64, answer: Int64, isNew: Bool)?
    {
        try inTransaction { db throws(PostgresError) -> (ThreadRecord, Int64, Int64, Bool)? in
            let now = Self.now()
            try db.run("""
                INSERT INTO sessions (id, created_at, last_seen_at) VALUES ($1, $2, $2)
                ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at
                """, session, now)
            let record: ThreadRecord
            if let thread {
                guard let row = try db.query("""
                    UPDATE threads SET updated_at = $3 WHERE id = $1 AND session_id = $2 RETURNING title
                    """, thread, session, now).first
                else { return nil }
                record = ThreadRecord(id: thread, sessionID: session, title: row[0].string ?? "", updatedAt: now)
            } else {
                let id = try db.query("""
                    INSERT INTO threads (session_id, title, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id
                    """, session, title.storable, now).first?[0].int64 ?? 0
                record = ThreadRecord(id: id, sessionID: session, title: title.storable, updatedAt: now)
            }
            let ids = try db.query("""
                INSERT INTO messages (thread_id, role, content, status, created_at, updated_at)
                VALUES ($1, 'user', $2, 'complete', $3, $3), ($1, 'assistant', '', 'streaming', $3, $3)
                RETURNING id
                """, record.id, question.storable, now).compactMap { $0[0].int64 }.sorted()
            guard ids.count == 2 else { throw PostgresError(.statement, "PostgreSQL stored \(ids.count) messages, not 2") }
            try db.run("""
                INSERT INTO jobs (message_id, state, created_at, updated_at, host, lease_until)
                VALUES ($1, 'queued', $2, $2, $3, $4)
                """, ids[1], now, host.name, now + host.lease)
            return (record, ids[0], ids[1], thread == nil)
        }
    }

    public func restartAnswer(_ message: Int64, session: String) throws(StoreError) -> Bool {
        try inTransaction { db throws(PostgresError) -> Bool in
            let now = Self.now()
            let changed = try db.run("""
                UPDATE messages SET content = '', thinking = '', status = 'streaming', error = NULL, model = NULL,
                    content_html = NULL, content_html_renderer = NULL, updated_at = $1
                WHERE id = $2 AND role = 'assistant' AND status IN ('error', 'interrupted', 'stopped')
                  AND thread_id IN (SELECT id FROM threads WHERE session_id = $3)
                """, now, message, session)
            guard changed == 1 else { return false }
            try db.run("DELETE FROM message_sources WHERE message_id = $1", message)
            try db.run("""
                INSERT INTO jobs (message_id, state, created_at, updated_at, host, lease_until)
                VALUES ($1, 'queued', $2, $2, $3, $4)
                ON CONFLICT (message_id) DO UPDATE SET state = 'queued', attempts = jobs.attempts + 1, updated_at = $2,
                    host = $3, lease_until = $4
                """, message, now, host.name, now + host.lease)
            return true
        }
    }

    public func thread(ofMessage message: Int64, session: String) throws(StoreError) -> ThreadRecord? {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT t.id, t.session_id, t.title, t.updated_at FROM messages m JOIN threads t ON t.id = m.thread_id
                WHERE m.id = $1 AND t.session_id = $2
                """, message, session).first.map(Self.threadRecord)
        }
    }

    public func thread(_ id: Int64, session: String) throws(StoreError) -> ThreadRecord? {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT id, session_id, title, updated_at FROM threads WHERE id = $1 AND session_id = $2",
                         id, session).first.map(Self.threadRecord)
        }
    }

    public func threads(session: String, limit: Int) throws(StoreError) -> [ThreadRecord] {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT id, session_id, title, updated_at FROM threads WHERE session_id = $1
                ORDER BY updated_at DESC, id DESC LIMIT $2
                """, session, max(0, limit)).map(Self.threadRecord)
        }
    }

    public func messages(thread: Int64) throws(StoreError) -> [MessageRecord] {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT \(Self.messageColumns) FROM messages WHERE thread_id = $1 ORDER BY id", thread)
                .map(Self.messageRecord)
        }
    }

    public func message(_ id: Int64) throws(StoreError) -> MessageRecord? {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT \(Self.messageColumns) FROM messages WHERE id = $1", id).first.map(Self.messageRecord)
        }
    }

    public func threadPage(_ thread: Int64, before: Int64?, exchanges: Int, renderer: Int64) throws(StoreError)
        -> ThreadPage
    {
        try inSnapshot { db throws(PostgresError) -> ThreadPage in
            let end = before ?? Int64.max
            let start = try db.query("""
                SELECT id FROM messages WHERE thread_id = $1 AND role = 'user' AND id < $2
                ORDER BY id DESC LIMIT 1 OFFSET $3
                """, thread, end, max(0, exchanges - 1)).first?[0].int64 ?? 0
            var page = ThreadPage(messages: [], contentHTML: [:], sources: [:], earlier: nil)
            for row in try db.query("""
                SELECT \(Self.messageColumns), content_html, content_html_renderer
                FROM messages WHERE thread_id = $1 AND id >= $2 AND id < $3 ORDER BY id
                """, thread, start, end)
            {
                let message = Self.messageRecord(row)
                page.messages.append(message)
                if let html = row[8].string, row[9].int64 == renderer, message.status != .streaming {
                    page.contentHTML[message.id] = html
                }
            }
            for row in try db.query("""
                SELECT s.message_id, \(Self.sourceColumns("s"))
                FROM message_sources s JOIN messages m ON m.id = s.message_id
                WHERE m.thread_id = $1 AND m.id >= $2 AND m.id < $3 AND m.role = 'assistant'
                ORDER BY s.message_id, s.rank
                """, thread, start, end)
            {
                page.sources[row[0].int64 ?? 0, default: []].append(Self.sourceRecord(row, from: 1))
            }
            if let first = page.messages.first?.id,
               try db.query("SELECT EXISTS (SELECT 1 FROM messages WHERE thread_id = $1 AND id < $2)", thread, first)
                .first?[0].bool == true
            {
                page.earlier = first
            }
            return page
        }
    }

    public func keepContentHTML(_ renders: [(message: Int64, content: String, html: String)], renderer: Int64)
        throws(StoreError)
    {
        guard !renders.isEmpty else { return }
        try inTransaction { db throws(PostgresError) in
            for render in renders {
                try db.run("""
                    UPDATE messages SET content_html = $1, content_html_renderer = $2
                    WHERE id = $3 AND content = $4 AND status != 'streaming'
                    """, render.html.storable, renderer, render.message, render.content.storable)
            }
        }
    }

    public func history(before message: Int64, thread: Int64, limit: Int) throws(StoreError) -> [MessageRecord] {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT \(Self.messageColumns) FROM messages
                WHERE thread_id = $1 AND id < $2 AND (role = 'user' OR status = 'complete') ORDER BY id DESC LIMIT $3
                """, thread, message, max(0, limit)).map(Self.messageRecord).reversed()
        }
    }

    public func question(answeredBy message: Int64) throws(StoreError) -> MessageRecord? {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT q.id, q.thread_id, q.role, q.content, q.thinking, q.status, q.model, q.error
                FROM messages a JOIN messages q ON q.thread_id = a.thread_id AND q.id < a.id AND q.role = 'user'
                WHERE a.id = $1 ORDER BY q.id DESC LIMIT 1
                """, message).first.map(Self.messageRecord)
        }
    }

    public func jobStarted(message: Int64) throws(StoreError) {
        try withWriter { db throws(PostgresError) in
            let now = Self.now()
            try db.run("""
                UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = $1, host = $2, lease_until = $3
                WHERE message_id = $4
                """, now, host.name, now + host.lease, message)
        }
    }

    public func shareModelRequests(mine: Int, now: Int64?) throws(StoreError) -> Int {
        let now = now ?? Self.now()
        return try withWriter { db throws(PostgresError) -> Int in
            try db.run("""
                INSERT INTO host_requests (host, recent, reported_at) VALUES ($1, $2, $3)
                ON CONFLICT (host) DO UPDATE SET recent = excluded.recent, reported_at = excluded.reported_at
                """, host.name, max(0, mine), now)
            return try db.query("""
                SELECT coalesce(sum(recent), 0)::bigint FROM host_requests WHERE host != $1 AND reported_at >= $2
                """, host.name, now - 5).first?[0].int ?? 0
        }
    }

    public func renewLeases() throws(StoreError) -> Int {
        try withWriter { db throws(PostgresError) -> Int in
            try db.run("UPDATE jobs SET lease_until = $1 WHERE host = $2 AND state IN ('queued', 'running')",
                       Self.now() + host.lease, host.name)
        }
    }

    public func interruptAnswersOfLostHosts(reason: String, now: Int64?) throws(StoreError) -> [LostAnswer] {
        let now = now ?? Self.now()
        return try inTransaction { db throws(PostgresError) -> [LostAnswer] in
            // SKIP LOCKED: a job another host is taking (or renewing) right now is left to it, so each lost answer
            // is taken once.
            let lost = try db.query("""
                SELECT j.message_id, m.thread_id, t.session_id, coalesce(j.host, '') FROM jobs j
                JOIN messages m ON m.id = j.message_id JOIN threads t ON t.id = m.thread_id
                WHERE j.state IN ('queued', 'running') AND j.lease_until < $1 AND coalesce(j.host, '') != $2
                FOR UPDATE OF j SKIP LOCKED
                """, now, host.name).map {
                LostAnswer(message: $0[0].int64 ?? 0, thread: $0[1].int64 ?? 0, session: $0[2].string ?? "",
                           host: $0[3].string ?? "")
            }
            for answer in lost {
                try db.run("""
                    UPDATE messages SET status = 'interrupted', error = $1, updated_at = $2 WHERE id = $3 AND status = 'streaming'
                    """, reason.storable, now, answer.message)
                try db.run("UPDATE jobs SET state = 'failed', updated_at = $1 WHERE message_id = $2", now, answer.message)
            }
            return lost
        }
    }

    /// The condition that a message's job is this host's (`$n` is its name), or of no host (no job).
    private static func ownJob(_ n: Int) -> String {
        "coalesce((SELECT host FROM jobs WHERE jobs.message_id = messages.id), $\(n)) = $\(n)"
    }

    public func checkpoint(message: Int64, content: String, thinking: String) throws(StoreError) {
        try withWriter { db throws(PostgresError) in
            try db.run("UPDATE messages SET content = $1, thinking = $2, updated_at = $3 WHERE id = $4 AND \(Self.ownJob(5))",
                       content.storable, thinking.storable, Self.now(), message, host.name)
        }
    }

    public func checkpointIfFree(message: Int64, content: String, thinking: String) throws(StoreError) -> Bool {
        // Free means: no other write of this store in progress, and the answer's row not locked by another
        // transaction (another host's, an administrator's).
        try inTransactionIfFree { db throws(PostgresError) in
            try db.run("UPDATE messages SET content = $1, thinking = $2, updated_at = $3 WHERE id = $4 AND \(Self.ownJob(5))",
                       content.storable, thinking.storable, Self.now(), message, host.name)
        } != nil
    }

    public func finishAnswer(message: Int64, content: String, thinking: String, status: MessageStatus, model: String?,
                             error: String?, sources: [SourceRecord]) throws(StoreError) {
        try inTransaction { db throws(PostgresError) in
            let now = Self.now()
            let changed = try db.run("""
                UPDATE messages SET content = $1, thinking = $2, status = $3, model = $4, error = $5, updated_at = $6,
                    content_html = NULL, content_html_renderer = NULL
                WHERE id = $7 AND \(Self.ownJob(8))
                """, content.storable, thinking.storable, status.rawValue, model?.storable, error?.storable, now, message,
                host.name)
            guard changed > 0 else { return }  // another host's now
            try Self.replaceSources(of: message, with: sources, in: db)
            try db.run("UPDATE jobs SET state = $1, updated_at = $2 WHERE message_id = $3",
                       status == .complete ? "done" : "failed", now, message)
        }
    }

    public func saveSources(message: Int64, sources: [SourceRecord]) throws(StoreError) {
        try inTransaction { db throws(PostgresError) in try Self.replaceSources(of: message, with: sources, in: db) }
    }

    public func sources(message: Int64) throws(StoreError) -> [SourceRecord] {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT \(Self.sourceColumns()) FROM message_sources WHERE message_id = $1 ORDER BY rank",
                         message).map { Self.sourceRecord($0, from: 0) }
        }
    }

    public func interruptUnfinishedAnswers(reason: String) throws(StoreError) -> Int {
        try inTransaction { db throws(PostgresError) -> Int in
            let now = Self.now()
            let count = try db.run("""
                UPDATE messages SET status = 'interrupted', error = $1, updated_at = $2
                WHERE status = 'streaming' AND \(Self.ownJob(3))
                """, reason.storable, now, host.name)
            try db.run("""
                UPDATE jobs SET state = 'failed', updated_at = $1 WHERE state IN ('queued', 'running') AND coalesce(host, $2) = $2
                """, now, host.name)
            return count
        }
    }

    public func removeIdleConversations(idle: Int64, now: Int64?, batch: Int) throws(StoreError) -> RetentionSweep {
        let cutoff = (now ?? Self.now()) - idle
        var sweep = RetentionSweep()
        while true {
            let removed = try withWriter { db throws(PostgresError) -> Int in
                // SKIP LOCKED: a thread another host is writing right now is left for the next sweep.
                try db.run("""
                    DELETE FROM threads WHERE id IN (
                        SELECT t.id FROM threads AS t
                        WHERE t.updated_at < $1
                          AND NOT EXISTS (SELECT 1 FROM messages AS m WHERE m.thread_id = t.id AND m.status = 'streaming')
                        LIMIT $2 FOR UPDATE SKIP LOCKED)
                    """, cutoff, max(1, batch))
            }
            sweep.threads += removed
            if removed < max(1, batch) { break }
        }
        sweep.sessions = try withWriter { db throws(PostgresError) -> Int in
            try db.run("""
                DELETE FROM sessions
                WHERE last_seen_at < $1 AND NOT EXISTS (SELECT 1 FROM threads WHERE threads.session_id = sessions.id)
                """, cutoff)
        }
        return sweep
    }

    public func removeSession(_ session: String) throws(StoreError) -> Int {
        try inTransaction { db throws(PostgresError) -> Int in
            let threads = try db.run("DELETE FROM threads WHERE session_id = $1", session)
            try db.run("DELETE FROM sessions WHERE id = $1", session)
            return threads
        }
    }

    public func readableSource(message: Int64, rank: Int, session: String) throws(StoreError)
        -> (thread: Int64, chunk: Int64?)?
    {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT t.id, s.chunk_id FROM message_sources s JOIN messages m ON m.id = s.message_id
                JOIN threads t ON t.id = m.thread_id WHERE s.message_id = $1 AND s.rank = $2 AND t.session_id = $3
                """, message, rank, session).first.map { ($0[0].int64 ?? 0, $0[1].int64) }
        }
    }

    public func chunkPlace(id: Int64) throws(StoreError) -> (document: Int64, ordinal: Int)? {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT document_id, ordinal FROM chunks WHERE id = $1", id).first.map {
                ($0[0].int64 ?? 0, $0[1].int ?? 0)
            }
        }
    }

    public func readableDocument(id: Int64) throws(StoreError) -> ReadableDocument? {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT d.id, d.path, d.title, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)
                FROM documents d WHERE d.id = $1 AND d.failure IS NULL
                """, id).first.map {
                ReadableDocument(id: $0[0].int64 ?? 0, path: $0[1].string ?? "", title: $0[2].string ?? "",
                                 chunkCount: $0[3].int ?? 0)
            }
        }
    }

    public func readableChunks(document: Int64, from: Int, limit: Int) throws(StoreError) -> [ReadableChunk] {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT id, ordinal, heading_path, text, first_page, last_page FROM chunks
                WHERE document_id = $1 AND ordinal >= $2 ORDER BY ordinal LIMIT $3
                """, document, from, max(0, limit)).map { row in
                ReadableChunk(id: row[0].int64 ?? 0, ordinal: row[1].int ?? 0,
                              headingPath: headingPath(row[2].string ?? ""), text: row[3].string ?? "",
                              pages: pageRange(first: row[4].int, last: row[5].int))
            }
        }
    }

    // MARK: Rows

    /// Replaces the sources of `message` with `sources`, inside the caller's transaction.
    private static func replaceSources(of message: Int64, with sources: [SourceRecord], in db: PostgresConnection)
        throws(PostgresError)
    {
        try db.run("DELETE FROM message_sources WHERE message_id = $1", message)
        for source in sources {
            try db.run("""
                INSERT INTO message_sources (message_id, rank, chunk_id, document_title, heading_path, excerpt, score,
                    distance, relevance, first_page, last_page) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """, message, source.rank, source.chunkID, source.documentTitle.storable, source.headingPath.storable,
                source.excerpt.storable, source.score, source.distance, source.relevance, source.pages?.lowerBound,
                source.pages?.upperBound)
        }
    }

    /// The columns a `SourceRecord` is read from, in `sourceRecord(_:from:)`'s order, of the table called `table`.
    private static func sourceColumns(_ table: String? = nil) -> String {
        let prefix = table.map { "\($0)." } ?? ""
        return ["rank", "chunk_id", "document_title", "heading_path", "excerpt", "score", "distance", "relevance",
                "first_page", "last_page"].map { prefix + $0 }.joined(separator: ", ")
    }

    static func sourceRecord(_ row: PostgresRow, from first: Int) -> SourceRecord {
        SourceRecord(rank: row[first].int ?? 0, chunkID: row[first + 1].int64, documentTitle: row[first + 2].string ?? "",
                     headingPath: row[first + 3].string ?? "", excerpt: row[first + 4].string ?? "",
                     score: row[first + 5].double ?? 0, distance: row[first + 6].double,
                     relevance: row[first + 7].int ?? 0,
                     pages: pageRange(first: row[first + 8].int, last: row[first + 9].int))
    }

    static func threadRecord(_ row: PostgresRow) -> ThreadRecord {
        ThreadRecord(id: row[0].int64 ?? 0, sessionID: row[1].string ?? "", title: row[2].string ?? "",
                     updatedAt: row[3].int64 ?? 0)
    }

    static func messageRecord(_ row: PostgresRow) -> MessageRecord {
        MessageRecord(id: row[0].int64 ?? 0, threadID: row[1].int64 ?? 0, role: row[2].string ?? "",
                      content: row[3].string ?? "", thinking: row[4].string ?? "",
                      status: MessageStatus(rawValue: row[5].string ?? "") ?? .error, model: row[6].string,
                      error: row[7].string)
    }
}

extension String {
    /// The text as PostgreSQL can store it: NUL characters (which a model or a client may send, and SQLite keeps)
    /// become U+FFFD, since PostgreSQL's text holds none.
    var storable: String {
        guard utf8.contains(0) else { return self }
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars { scalars.append(scalar == "\0" ? "\u{FFFD}" : scalar) }
        return String(scalars)
    }
}
