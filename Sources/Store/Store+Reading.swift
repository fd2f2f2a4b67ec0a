// What the reading view (a document opened from a source) reads: a document's row and a window of its chunks in
// their order, and where a chunk sits. Readers only; never a write.
internal import SQLite

/// A document as the reading view names it.
public struct ReadableDocument: Sendable, Equatable {
    public var id: Int64
    /// The path it was read from.
    public var path: String
    public var title: String
    /// How many chunks it has.
    public var chunkCount: Int
}

/// One chunk of a document, in order.
public struct ReadableChunk: Sendable, Equatable {
    public var id: Int64
    /// Its place in the document, from 0.
    public var ordinal: Int
    /// The headings it sits under, outermost first.
    public var headingPath: [String]
    public var text: String
    /// The pages its text is on, in a document with pages.
    public var pages: ClosedRange<Int>?
}

extension Store {
    /// The document with this id, if it is stored and was read (a file that could not be read has no chunks).
    public func readableDocument(id: Int64) throws(StoreError) -> ReadableDocument? {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT d.id, d.path, d.title, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)
                FROM documents d WHERE d.id = ? AND d.failure IS NULL
                """, id).first.map {
                ReadableDocument(id: $0[0].int64 ?? 0, path: $0[1].string ?? "", title: $0[2].string ?? "",
                                 chunkCount: $0[3].int ?? 0)
            }
        }
    }

    /// The document a chunk belongs to and the chunk's place in it; nil when the chunk is no longer stored (its
    /// document was read again or removed).
    public func chunkPlace(id: Int64) throws(StoreError) -> (document: Int64, ordinal: Int)? {
        try withReader { db throws(SQLiteError) in
            try db.query("SELECT document_id, ordinal FROM chunks WHERE id = ?", id).first.map {
                ($0[0].int64 ?? 0, $0[1].int ?? 0)
            }
        }
    }

    /// At most `limit` chunks of `document` from place `from` on, in order.
    public func readableChunks(document: Int64, from: Int, limit: Int) throws(StoreError) -> [ReadableChunk] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT id, ordinal, heading_path, text, first_page, last_page FROM chunks
                WHERE document_id = ? AND ordinal >= ? ORDER BY ordinal LIMIT ?
                """, document, from, limit).map { row in
                let headings = row[2].string ?? ""
                return ReadableChunk(
                    id: row[0].int64 ?? 0, ordinal: row[1].int ?? 0,
                    headingPath: headingPath(headings),
                    text: row[3].string ?? "", pages: pageRange(first: row[4].int, last: row[5].int))
            }
        }
    }

    /// A source an answer of `session` showed: the answer's thread and the source's passage (nil when its document
    /// has been read again or removed since). Nil when there is no such source in that session's conversations.
    public func readableSource(message: Int64, rank: Int, session: String) throws(StoreError)
        -> (thread: Int64, chunk: Int64?)?
    {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT t.id, s.chunk_id FROM message_sources s JOIN messages m ON m.id = s.message_id
                JOIN threads t ON t.id = m.thread_id WHERE s.message_id = ? AND s.rank = ? AND t.session_id = ?
                """, message, rank, session).first.map { ($0[0].int64 ?? 0, $0[1].int64) }
        }
    }
}
