// The knowledge-base parts of AdminStorage on PostgreSQL: the documents' overview and reading a document again, as
// `Store` does them (Store+Admin.swift); the rest of AdminStorage is in PostgresStore+Admin.swift.
internal import Postgres

extension PostgresStore {
    /// Every document with its passages and last page, by title in any (ASCII) case, then path: SQLite's
    /// `COLLATE NOCASE` order whatever the database's collation.
    public func documentOverview() throws(StoreError) -> [DocumentOverview] {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT d.id, d.path, d.title, d.size, d.ingested_at, d.failure, count(c.id), max(c.last_page)
                FROM documents AS d LEFT JOIN chunks AS c ON c.document_id = d.id
                GROUP BY d.id ORDER BY translate(d.title, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
                    COLLATE "C", d.path COLLATE "C"
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
        try withWriter { db throws(PostgresError) -> Bool in
            try db.run("UPDATE documents SET content_hash = '', modified_at = 0 WHERE path = $1", path.storable) > 0
        }
    }
}
