// The knowledge base's documents and chunks: each document replaced or removed in one transaction, its chunks
// indexed for full-text search in the same transaction, so the index never disagrees with the text.
internal import SQLite
#if canImport(Glibc)
internal import Glibc
#endif

/// A document as the store knows it.
public struct DocumentRecord: Sendable, Equatable {
    public var id: Int64
    /// Its path, as ingested (absolute).
    public var path: String
    public var title: String
    /// Hex SHA-256 of its bytes.
    public var contentHash: String
    public var size: Int64
    /// The file's modification time when it was read, in nanoseconds since 1970.
    public var modifiedAt: Int64
    /// When it was read (or last found unchanged), in seconds since 1970.
    public var ingestedAt: Int64
    /// Why the file could not be read, or nil when it was: such a document has no chunks.
    public var failure: String?
}

/// A chunk to store: its place, its headings (outermost first), its text and, in a paged document, its pages.
public struct NewChunk: Sendable, Equatable {
    public var ordinal: Int
    public var headingPath: [String]
    public var text: String
    /// The pages its text is on (1 is the file's first page); nil in a document without pages.
    public var pages: ClosedRange<Int>?

    public init(ordinal: Int, headingPath: [String], text: String, pages: ClosedRange<Int>? = nil) {
        self.ordinal = ordinal
        self.headingPath = headingPath
        self.text = text
        self.pages = pages
    }
}

extension Store {
    /// Always taken: a SQLite file has one host, and its folder sync is the one reader of the folder.
    public func beginIngestionTurn() throws(StoreError) -> Bool { true }

    public func endIngestionTurn() {}
}

/// How heading paths are joined in the database and in sources.
public let headingSeparator = " › "

/// How a passage's pages read in sources: "p. 12", "pp. 12–13"; nil for a document without pages.
public func pageLabel(_ pages: ClosedRange<Int>?) -> String? {
    guard let pages else { return nil }
    return pages.count == 1 ? "p. \(pages.lowerBound)" : "pp. \(pages.lowerBound)–\(pages.upperBound)"
}

/// A heading path as stored (joined with `headingSeparator`), outermost first; empty for none.
func headingPath(_ stored: String) -> [String] {
    stored.isEmpty ? [] : stored.split(separator: headingSeparator).map(String.init)
}

/// The pages stored as a first and last page (either may be NULL), as a range.
func pageRange(first: Int?, last: Int?) -> ClosedRange<Int>? {
    guard let first, first > 0 else { return nil }
    return first...max(first, last ?? first)
}

/// A change to the knowledge base's documents, applied with others in one transaction (`Store.apply`).
public enum DocumentChange: Sendable, Equatable {
    /// Store a document and its chunks, replacing whatever was stored under its path.
    case replace(path: String, title: String, contentHash: String, size: Int64, modifiedAt: Int64, chunks: [NewChunk])
    /// Record that the file could not be read and why (its old chunks go).
    case failure(path: String, title: String, contentHash: String, size: Int64, modifiedAt: Int64, reason: String)
    /// Record that the file was read again and found unchanged, with its current modification time (ns).
    case touch(path: String, modifiedAt: Int64)
    /// Remove the document, its chunks and their index entries.
    case remove(path: String)
}

/// The statements that replace a document and its chunks, prepared once per transaction.
private struct DocumentWriter {
    let db: Connection
    let findDocument: Statement
    let insertDocument: Statement
    let insertChunk: Statement
    let indexChunk: Statement

    init(_ db: Connection) throws(SQLiteError) {
        self.db = db
        findDocument = try db.prepare("SELECT id, title FROM documents WHERE path = ?")
        insertDocument = try db.prepare("""
            INSERT INTO documents (path, title, content_hash, size, modified_at, ingested_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insertChunk = try db.prepare("""
            INSERT INTO chunks (document_id, ordinal, heading_path, text, first_page, last_page) VALUES (?, ?, ?, ?, ?, ?)
            """)
        indexChunk = try db.prepare("INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)")
    }

    /// Removes what is stored under `path` (a lookup per document: most are new), then inserts the document.
    func replace(path: String, title: String, contentHash: String, size: Int64, modifiedAt: Int64,
                 chunks: [NewChunk]) throws(SQLiteError) {
        try findDocument.bind([path])
        if let row = try findDocument.rows().first, let id = row[0].int64, let oldTitle = row[1].string {
            try Store.deleteDocument(id: id, title: oldTitle, db)
        }
        try insertDocument.bind([path, title, contentHash, size, modifiedAt, Store.now()])
        try insertDocument.run()
        let documentID = db.lastInsertRowID
        for chunk in chunks {
            let headings = chunk.headingPath.joined(separator: headingSeparator)
            try insertChunk.bind([documentID, chunk.ordinal, headings, chunk.text, chunk.pages?.lowerBound,
                                  chunk.pages?.upperBound])
            try insertChunk.run()
            try indexChunk.bind([db.lastInsertRowID, title, headings, chunk.text])
            try indexChunk.run()
        }
    }
}

extension Store {
    /// Every document, by path.
    public func documents() throws(StoreError) -> [String: DocumentRecord] {
        try withReader { db throws(SQLiteError) in
            var out: [String: DocumentRecord] = [:]
            let sql = "SELECT id, path, title, content_hash, size, modified_at, ingested_at, failure FROM documents"
            for row in try db.query(sql) {
                let record = DocumentRecord(id: row[0].int64 ?? 0, path: row[1].string ?? "", title: row[2].string ?? "",
                                            contentHash: row[3].string ?? "", size: row[4].int64 ?? 0,
                                            modifiedAt: row[5].int64 ?? 0, ingestedAt: row[6].int64 ?? 0,
                                            failure: row[7].string)
                out[record.path] = record
            }
            return out
        }
    }

    /// Stores a document and its chunks, replacing whatever was stored under `path`, in one transaction: a crash
    /// at any moment leaves the old document or the new one, never a mixture.
    @discardableResult
    public func replaceDocument(path: String, title: String, contentHash: String, size: Int64, modifiedAt: Int64,
                                chunks: [NewChunk]) throws(StoreError) -> Int64 {
        try apply([.replace(path: path, title: title, contentHash: contentHash, size: size, modifiedAt: modifiedAt,
                            chunks: chunks)])
        return try withReader { db throws(SQLiteError) in
            try db.query("SELECT id FROM documents WHERE path = ?", path).first?[0].int64 ?? 0
        }
    }

    /// Records that the file at `path` could not be read, and why, replacing whatever was stored under it (its
    /// chunks go): the file is not read again until its size, time or content changes.
    public func recordFailure(path: String, title: String, contentHash: String, size: Int64, modifiedAt: Int64,
                              reason: String) throws(StoreError) {
        try apply([.failure(path: path, title: title, contentHash: contentHash, size: size, modifiedAt: modifiedAt,
                            reason: reason)])
    }

    /// Records that a document's file was read again and found unchanged, with its current modification time
    /// (nanoseconds), so later looks can trust its size and time.
    public func touchDocument(path: String, modifiedAt: Int64) throws(StoreError) {
        try apply([.touch(path: path, modifiedAt: modifiedAt)])
    }

    /// Removes a document, its chunks and their index entries, in one transaction.
    public func removeDocument(path: String) throws(StoreError) {
        try apply([.remove(path: path)])
    }

    /// Applies `changes` in order, in one transaction: a crash leaves all of them or none, so every document in it
    /// is whole either way. Ingestion groups several documents per transaction because each commit costs a WAL
    /// sync and a new FTS5 segment to merge later: one document per transaction spent most of its time there.
    public func apply(_ changes: [DocumentChange]) throws(StoreError) {
        guard !changes.isEmpty else { return }
        try withConnection { db throws(SQLiteError) in
            // Indexing merges the full-text index's segments, which a larger cache keeps at hand; back to the
            // writer's own size after, which frees the rest at once.
            try db.setCacheSize(kibibytes: Self.indexingCacheKiB)
            defer { try? db.setCacheSize(kibibytes: Self.writerCacheKiB) }
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) in
                var writer: DocumentWriter?
                var changesIndex = false
                for change in changes {
                    switch change {
                    case .replace(let path, let title, let hash, let size, let modifiedAt, let chunks):
                        if writer == nil { writer = try DocumentWriter(db) }
                        try writer!.replace(path: path, title: title, contentHash: hash, size: size,
                                            modifiedAt: modifiedAt, chunks: chunks)
                        changesIndex = true
                    case .failure(let path, let title, let hash, let size, let modifiedAt, let reason):
                        try Self.deleteDocument(path: path, db)
                        try db.run("""
                            INSERT INTO documents (path, title, content_hash, size, modified_at, ingested_at, failure)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, path, title, hash, size, modifiedAt, Self.now(), reason)
                        changesIndex = true
                    case .touch(let path, let modifiedAt):
                        try db.run("UPDATE documents SET modified_at = ?, ingested_at = ? WHERE path = ?",
                                   modifiedAt, Self.now(), path)
                    case .remove(let path):
                        try Self.deleteDocument(path: path, db)
                        changesIndex = true
                    }
                }
                if changesIndex { try Self.bumpGeneration(db) }
            }
        }
    }

    /// Counts: documents read (not those that failed), chunks, chunks with an embedding from `model`.
    public func knowledgeBaseCounts(embeddingModel model: String?) throws(StoreError)
        -> (documents: Int, chunks: Int, embedded: Int)
    {
        try withReader { db throws(SQLiteError) in
            let documents = try db.query("SELECT count(*) FROM documents WHERE failure IS NULL").first?[0].int ?? 0
            let chunks = try db.query("SELECT count(*) FROM chunks").first?[0].int ?? 0
            // `=`, not `IS`: the index by model holds only chunks that have one.
            let embedded = try model.map { model throws(SQLiteError) in
                try db.query("SELECT count(*) FROM chunks WHERE embedding_model = ?", model).first?[0].int ?? 0
            } ?? 0
            return (documents, chunks, embedded)
        }
    }

    /// A number that changes whenever documents, chunks or embeddings change (and not when conversations do):
    /// what caches of the knowledge base compare against.
    public func knowledgeGeneration() throws(StoreError) -> Int64 {
        try withReader { db throws(SQLiteError) in
            try db.query("SELECT generation FROM knowledge_base WHERE id = 1").first?[0].int64 ?? 0
        }
    }

    static func bumpGeneration(_ db: Connection) throws(SQLiteError) {
        try db.run("UPDATE knowledge_base SET generation = generation + 1 WHERE id = 1")
    }

    /// Deletes a document's index entries (FTS5's 'delete' command needs the values it indexed), then the
    /// document (its chunks go with it).
    static func deleteDocument(path: String, _ db: Connection) throws(SQLiteError) {
        guard let row = try db.query("SELECT id, title FROM documents WHERE path = ?", path).first,
              let id = row[0].int64, let title = row[1].string
        else { return }
        try deleteDocument(id: id, title: title, db)
    }

    /// Deletes the document `id`, titled `title`, its chunks and their index entries.
    static func deleteDocument(id: Int64, title: String, _ db: Connection) throws(SQLiteError) {
        try db.run("""
            INSERT INTO chunks_fts (chunks_fts, rowid, title, headings, body)
            SELECT 'delete', id, ?, heading_path, text FROM chunks WHERE document_id = ?
            """, title, id)
        try db.run("DELETE FROM documents WHERE id = ?", id)
    }

    /// Seconds since 1970.
    static func now() -> Int64 { Int64(time(nil)) }
}
