// `quarry migrate`: a single-host SQLite database copied into PostgreSQL, so a site that grows to several hosts keeps
// its conversations, accounts, sign-ins, settings (the signing secret among them: cookies and links stay valid) and
// knowledge base. The knowledge base goes through `apply`, which indexes it as PostgreSQL searches it; everything
// else is copied row by row with its ids, in one transaction.
internal import Postgres
internal import SQLite

/// What `PostgresStore.copy(from:progress:)` copied.
public struct CopySummary: Sendable, Equatable {
    public var documents = 0
    public var chunks = 0
    public var embeddings = 0
    public var conversations = 0
    public var messages = 0
    public var accounts = 0
    public var signIns = 0
}

extension PostgresStore {
    /// The tables copied row by row, in an order that satisfies their references, with their columns (the same in
    /// both schemas) and which of them are booleans in PostgreSQL (integers 0 and 1 in SQLite).
    private static let copiedTables: [(table: String, columns: [String], booleans: Set<String>)] = [
        ("settings", ["key", "value"], []),
        ("sessions", ["id", "created_at", "last_seen_at"], []),
        ("threads", ["id", "session_id", "title", "created_at", "updated_at"], []),
        ("messages", ["id", "thread_id", "role", "content", "thinking", "status", "model", "error", "created_at",
                      "updated_at", "content_html", "content_html_renderer"], []),
        ("jobs", ["id", "message_id", "state", "attempts", "created_at", "updated_at", "host", "lease_until"], []),
        ("message_sources", ["message_id", "rank", "chunk_id", "document_title", "heading_path", "excerpt", "score",
                             "distance", "relevance", "first_page", "last_page"], []),
        ("users", ["id", "name", "password_hash", "is_admin", "created_at", "updated_at"], ["is_admin"]),
        ("sign_ins", ["session_id", "name", "is_admin", "user_id", "created_at"], ["is_admin"]),
    ]

    /// Copies everything `source` holds into this database, which must hold no conversations, accounts or sign-ins
    /// yet (its knowledge base may: documents are replaced by path, so a copy cut short can be run again). Answers
    /// that were streaming in `source` arrive interrupted. Run it with the SQLite database's server stopped.
    /// - Parameter progress: a line for the person waiting, now and then.
    /// - Throws: `.copyRefused` when this database is not empty; `.database` or `.postgres` when either fails.
    public func copy(from source: Store, progress: (String) -> Void = { _ in }) throws(StoreError) -> CopySummary {
        let present = try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT (SELECT count(*) FROM threads), (SELECT count(*) FROM users), (SELECT count(*) FROM sign_ins)
                """).first.map { ($0[0].int ?? 0) + ($0[1].int ?? 0) + ($0[2].int ?? 0) } ?? 0
        }
        guard present == 0 else { throw .copyRefused(place: configuration.place) }
        var summary = CopySummary()
        let chunkIDs = try copyKnowledge(from: source, into: &summary, progress: progress)
        progress("copying conversations, accounts and settings")
        try copyRows(from: source, chunkIDs: chunkIDs, into: &summary)
        return summary
    }

    /// Applies `source`'s documents (50 at a time) and their embeddings; the new id of each old chunk.
    private func copyKnowledge(from source: Store, into summary: inout CopySummary, progress: (String) -> Void)
        throws(StoreError) -> [Int64: Int64]
    {
        let documents = try source.documents().values.sorted { $0.path < $1.path }
        var oldChunks: [Int64: (path: String, ordinal: Int)] = [:]
        var batch: [DocumentChange] = []
        func flush() throws(StoreError) {
            guard !batch.isEmpty else { return }
            try apply(batch)
            batch = []
            progress("documents: \(summary.documents) of \(documents.count)")
        }
        for document in documents {
            if let failure = document.failure {
                batch.append(.failure(path: document.path, title: document.title, contentHash: document.contentHash,
                                      size: document.size, modifiedAt: document.modifiedAt, reason: failure))
            } else {
                let rows = try source.withReader { db throws(SQLiteError) in
                    try db.query("""
                        SELECT id, ordinal, heading_path, text, first_page, last_page FROM chunks
                        WHERE document_id = ? ORDER BY ordinal
                        """, document.id)
                }
                var chunks: [NewChunk] = []
                for row in rows {
                    let ordinal = row[1].int ?? 0
                    oldChunks[row[0].int64 ?? 0] = (document.path, ordinal)
                    chunks.append(NewChunk(ordinal: ordinal, headingPath: headingPath(row[2].string ?? ""),
                                           text: row[3].string ?? "", pages: pageRange(first: row[4].int, last: row[5].int)))
                }
                summary.chunks += chunks.count
                batch.append(.replace(path: document.path, title: document.title, contentHash: document.contentHash,
                                      size: document.size, modifiedAt: document.modifiedAt, chunks: chunks))
            }
            summary.documents += 1
            if batch.count == 50 { try flush() }
        }
        try flush()
        // The new ids, by document and place.
        var newIDs: [String: Int64] = [:]
        try withReader { db throws(PostgresError) in
            for row in try db.query("SELECT d.path, c.ordinal, c.id FROM chunks c JOIN documents d ON d.id = c.document_id") {
                newIDs["\(row[1].int ?? 0) \(row[0].string ?? "")"] = row[2].int64
            }
        }
        var chunkIDs: [Int64: Int64] = [:]
        for (old, place) in oldChunks { chunkIDs[old] = newIDs["\(place.ordinal) \(place.path)"] }
        // Embeddings, model by model, so no chunk is embedded (and paid for) again.
        let models = try source.withReader { db throws(SQLiteError) in
            try db.query("SELECT DISTINCT embedding_model FROM chunks WHERE embedding_model IS NOT NULL").compactMap { $0[0].string }
        }
        for model in models {
            let stored = try source.embeddings(model: model)
            guard stored.dimension > 0 else { continue }
            var vectors: [(id: Int64, vector: [Float])] = []
            for (index, old) in stored.ids.enumerated() {
                guard let new = chunkIDs[old] else { continue }
                vectors.append((new, Array(stored.vectors[index * stored.dimension ..< (index + 1) * stored.dimension])))
                if vectors.count == 500 {
                    try setEmbeddings(vectors, model: model)
                    summary.embeddings += vectors.count
                    vectors = []
                }
            }
            try setEmbeddings(vectors, model: model)
            summary.embeddings += vectors.count
        }
        // When each document was read, as the SQLite database had it.
        try inTransaction { db throws(PostgresError) in
            for document in documents {
                try db.run("UPDATE documents SET ingested_at = $1 WHERE path = $2", document.ingestedAt, document.path.storable)
            }
        }
        return chunkIDs
    }

    /// Copies every table but the knowledge base's, with their ids, in one transaction, then moves each identity
    /// past the largest id copied.
    private func copyRows(from source: Store, chunkIDs: [Int64: Int64], into summary: inout CopySummary) throws(StoreError) {
        var tables: [(table: String, columns: [String], rows: [[(any PostgresBindable)?]])] = []
        for (table, columns, booleans) in Self.copiedTables {
            let rows = try source.withReader { db throws(SQLiteError) in
                try db.query("SELECT \(columns.joined(separator: ", ")) FROM \(table)")
            }
            tables.append((table, columns, rows.map { row in
                columns.indices.map { index -> (any PostgresBindable)? in
                    let column = columns[index], value = row[index]
                    if booleans.contains(column) { return (value.int64 ?? 0) != 0 }
                    if table == "message_sources", column == "chunk_id" { return value.int64.flatMap { chunkIDs[$0] } }
                    // An answer left streaming belongs to no host here: it arrives as the restart would leave it.
                    if table == "messages", column == "status", value.string == "streaming" { return "interrupted" }
                    if table == "messages", column == "error", row[5].string == "streaming" {
                        return "The server stopped before this answer finished."
                    }
                    if table == "jobs", column == "state", value.string == "queued" || value.string == "running" {
                        return "failed"
                    }
                    return Self.bindable(value)
                }
            }))
        }
        try inTransaction { db throws(PostgresError) in
            // The copied database's settings win (its signing secret above all, so its cookies and links stay valid).
            try db.run("DELETE FROM settings")
            for (table, columns, rows) in tables {
                // Rows go 100 to an INSERT: fewer round trips, far under PostgreSQL's 65,535 parameters.
                var start = 0
                while start < rows.count {
                    let part = rows[start ..< min(rows.count, start + 100)]
                    var placeholders: [String] = [], bindings: [(any PostgresBindable)?] = []
                    for row in part {
                        let first = bindings.count
                        placeholders.append("(" + columns.indices.map { "$\(first + $0 + 1)" }.joined(separator: ", ") + ")")
                        bindings += row
                    }
                    try db.run("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(placeholders.joined(separator: ", "))",
                               bindings: bindings)
                    start += part.count
                }
            }
            for table in ["threads", "messages", "jobs", "users"] {
                _ = try db.query("""
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)
                    """)
            }
        }
        summary.conversations = tables.first { $0.table == "threads" }?.rows.count ?? 0
        summary.messages = tables.first { $0.table == "messages" }?.rows.count ?? 0
        summary.accounts = tables.first { $0.table == "users" }?.rows.count ?? 0
        summary.signIns = tables.first { $0.table == "sign_ins" }?.rows.count ?? 0
    }

    /// A SQLite value as PostgreSQL takes it (text without NULs).
    private static func bindable(_ value: SQLiteValue) -> (any PostgresBindable)? {
        switch value {
        case .null: nil
        case .integer(let number): number
        case .real(let number): number
        case .text(let text): text.storable
        case .blob(let bytes): bytes
        }
    }
}
