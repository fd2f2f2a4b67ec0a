// What the admin pages read and change: the documents with their passages and pages, a document to be read again,
// and the questions the documents could not answer.
internal import SQLite

/// A document as the admin's list shows it.
public struct DocumentOverview: Sendable, Equatable {
    public var id: Int64
    /// Its path, as ingested (absolute).
    public var path: String
    public var title: String
    public var size: Int64
    /// When it was last read (or found unchanged), in seconds since 1970.
    public var ingestedAt: Int64
    /// Why it could not be read; nil when it was.
    public var failure: String?
    /// Its passages (chunks).
    public var passages: Int
    /// Its last page, in a document with pages.
    public var pages: Int?
}

/// A question the documents could not answer, as often as it was asked.
public struct UnansweredQuestion: Sendable, Equatable {
    /// The question, as first asked.
    public var question: String
    /// How many times it was asked (the same words, whatever their case).
    public var asked: Int
    /// When it was last asked, in seconds since 1970.
    public var lastAsked: Int64
    /// How many of those times no passage was found at all (the rest: the model cited none of the passages).
    public var noPassage: Int
}

extension Store {
    /// Every document with its passages and pages, by title.
    public func documentOverview() throws(StoreError) -> [DocumentOverview] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT d.id, d.path, d.title, d.size, d.ingested_at, d.failure, count(c.id), max(c.last_page)
                FROM documents AS d LEFT JOIN chunks AS c ON c.document_id = d.id
                GROUP BY d.id ORDER BY d.title COLLATE NOCASE, d.path
                """).map { row in
                    DocumentOverview(id: row[0].int64 ?? 0, path: row[1].string ?? "", title: row[2].string ?? "",
                                     size: row[3].int64 ?? 0, ingestedAt: row[4].int64 ?? 0, failure: row[5].string,
                                     passages: row[6].int ?? 0, pages: row[7].int)
                }
        }
    }

    /// Makes the next look at the documents folder read the document at `path` again, whether or not it changed.
    /// - Returns: whether there is such a document.
    @discardableResult
    public func readAgain(path: String) throws(StoreError) -> Bool {
        try withConnection { db throws(SQLiteError) -> Bool in
            try db.run("UPDATE documents SET content_hash = '', modified_at = 0 WHERE path = ?", path)
            return db.changes > 0
        }
    }

    /// The questions whose answer found no passage, or whose model answer cited none of the passages it was given
    /// (it said they did not answer), most asked first. Answers without a model (the passages quoted) count only
    /// when nothing was found.
    public func unansweredQuestions(limit: Int) throws(StoreError) -> [UnansweredQuestion] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                WITH unanswered AS (
                    SELECT a.id, a.created_at,
                        NOT EXISTS (SELECT 1 FROM message_sources AS s WHERE s.message_id = a.id) AS no_passage,
                        (SELECT q.content FROM messages AS q
                         WHERE q.thread_id = a.thread_id AND q.id < a.id AND q.role = 'user'
                         ORDER BY q.id DESC LIMIT 1) AS question
                    FROM messages AS a
                    WHERE a.role = 'assistant' AND a.status = 'complete'
                )
                SELECT min(question), count(*), max(created_at), sum(no_passage)
                FROM unanswered AS u
                WHERE question IS NOT NULL AND (no_passage OR (
                    (SELECT model FROM messages WHERE id = u.id) IS NOT NULL
                    AND (SELECT content FROM messages WHERE id = u.id) NOT GLOB '*[[][0-9]*'))
                GROUP BY lower(trim(question))
                ORDER BY count(*) DESC, max(created_at) DESC
                LIMIT ?
                """, limit).map { row in
                    UnansweredQuestion(question: row[0].string ?? "", asked: row[1].int ?? 0,
                                       lastAsked: row[2].int64 ?? 0, noPassage: row[3].int ?? 0)
                }
        }
    }
}
