// A thread a part at a time: its latest exchanges first, earlier ones on request, each part read as of one commit,
// with what is kept of its answers' rendering (migration 5) and their sources in one query, so a part costs a few
// indexed reads whatever the thread's length.
internal import SQLite

/// Some consecutive exchanges of a thread, as a snapshot shows them.
public struct ThreadPage: Sendable, Equatable {
    /// The messages, oldest first.
    public var messages: [MessageRecord]
    /// The kept HTML of ended answers' text, by message id: only what the renderer asked about made.
    public var contentHTML: [Int64: String]
    /// The sources of the page's answers, by message id, by rank.
    public var sources: [Int64: [SourceRecord]]
    /// When the thread has messages before this page: the id of the page's first message (what asks for them).
    public var earlier: Int64?
}

extension Store {
    /// The last `exchanges` exchanges of `thread` before message `before` (nil: the thread's latest); an exchange
    /// starts at a question. `renderer` is the fingerprint of the running Markdown renderer: kept HTML made by
    /// another is left out (and made again by the caller).
    public func threadPage(_ thread: Int64, before: Int64?, exchanges: Int, renderer: Int64) throws(StoreError) -> ThreadPage {
        try withReader { db throws(SQLiteError) in
            // One read transaction: the page's parts agree with each other.
            try db.execute("BEGIN")
            defer { try? db.execute("COMMIT") }
            let end = before ?? Int64.max
            let start = try db.query("""
                SELECT id FROM messages WHERE thread_id = ? AND role = 'user' AND id < ? ORDER BY id DESC LIMIT 1 OFFSET ?
                """, thread, end, max(0, exchanges - 1)).first?[0].int64 ?? 0
            var page = ThreadPage(messages: [], contentHTML: [:], sources: [:], earlier: nil)
            for row in try db.query("""
                SELECT id, thread_id, role, content, thinking, status, model, error, content_html, content_html_renderer
                FROM messages WHERE thread_id = ? AND id >= ? AND id < ? ORDER BY id
                """, thread, start, end)
            {
                let message = Self.messageRecord(row)
                page.messages.append(message)
                if let html = row[8].string, row[9].int64 == renderer, message.status != .streaming {
                    page.contentHTML[message.id] = html
                }
            }
            for row in try db.query("""
                SELECT message_id, rank, chunk_id, document_title, heading_path, excerpt, score, distance, relevance,
                    first_page, last_page
                FROM message_sources WHERE message_id IN (
                    SELECT id FROM messages WHERE thread_id = ? AND id >= ? AND id < ? AND role = 'assistant')
                ORDER BY message_id, rank
                """, thread, start, end)
            {
                page.sources[row[0].int64 ?? 0, default: []].append(Self.sourceRecord(row, from: 1))
            }
            if let first = page.messages.first?.id,
               try db.query("SELECT EXISTS (SELECT 1 FROM messages WHERE thread_id = ? AND id < ?)", thread, first)
                .first?[0].int == 1
            {
                page.earlier = first
            }
            return page
        }
    }

    /// Keeps the HTML of ended answers' text, made by `renderer`, for later snapshots. An answer whose text has
    /// changed since it was read (a retry, an answer that ended meanwhile) keeps nothing.
    public func keepContentHTML(_ renders: [(message: Int64, content: String, html: String)], renderer: Int64)
        throws(StoreError)
    {
        guard !renders.isEmpty else { return }
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) in
                let update = try db.prepare("""
                    UPDATE messages SET content_html = ?, content_html_renderer = ?
                    WHERE id = ? AND content = ? AND status != 'streaming'
                    """)
                for render in renders {
                    try update.bind([render.html, renderer, render.message, render.content])
                    try update.run()
                    update.reset()
                }
            }
        }
    }

    /// A source from `row`'s columns starting at `first`: rank, chunk_id, document_title, heading_path, excerpt,
    /// score, distance, relevance, first_page, last_page.
    static func sourceRecord(_ row: Row, from first: Int) -> SourceRecord {
        SourceRecord(rank: row[first].int ?? 0, chunkID: row[first + 1].int64, documentTitle: row[first + 2].string ?? "",
                     headingPath: row[first + 3].string ?? "", excerpt: row[first + 4].string ?? "",
                     score: row[first + 5].double ?? 0, distance: row[first + 6].double,
                     relevance: row[first + 7].int ?? 0, pages: pageRange(first: row[first + 8].int, last: row[first + 9].int))
    }
}
