// The knowledge base on PostgreSQL: documents and their chunks, each batch of changes in one transaction with the
// chunks' search terms (PostgresSchema+Search.swift) written beside them, the generation caches compare against,
// and embeddings. The behaviour is `Store`'s (Store+Documents.swift, Store+Search.swift); the search itself is in
// PostgresStore+Search.swift.
internal import Postgres

extension PostgresStore: KnowledgeStorage {
    /// The advisory lock every batch of knowledge-base changes takes for its transaction ("qkb" in ASCII): two hosts
    /// replacing the same document at once would otherwise both delete the old row and one insert would fail.
    static let knowledgeLock: Int64 = 0x71_6B_62

    /// Every document, by path.
    public func documents() throws(StoreError) -> [String: DocumentRecord] {
        try withReader { db throws(PostgresError) in
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

    /// Applies `changes` in order, in one transaction (as `Store.apply`): all of them or none. Replacing, failing
    /// and removing a document bump the knowledge base's generation; touching one does not.
    public func apply(_ changes: [DocumentChange]) throws(StoreError) {
        guard !changes.isEmpty else { return }
        try inTransaction { db throws(PostgresError) in
            _ = try db.query("SELECT pg_advisory_xact_lock($1)", Self.knowledgeLock)
            var changesIndex = false
            for change in changes {
                switch change {
                case .replace(let path, let title, let hash, let size, let modifiedAt, let chunks):
                    try Self.deleteDocument(path: path, db)
                    let id = try db.query("""
                        INSERT INTO documents (path, title, content_hash, size, modified_at, ingested_at)
                        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                        """, path, title.storable, hash, size, modifiedAt, Self.now()).first?[0].int64 ?? 0
                    try Self.insert(chunks, document: id, title: title, db)
                    try Self.count(document: id, as: 1, db)
                    changesIndex = true
                case .failure(let path, let title, let hash, let size, let modifiedAt, let reason):
                    try Self.deleteDocument(path: path, db)
                    try db.run("""
                        INSERT INTO documents (path, title, content_hash, size, modified_at, ingested_at, failure)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        """, path, title.storable, hash, size, modifiedAt, Self.now(), reason.storable)
                    changesIndex = true
                case .touch(let path, let modifiedAt):
                    try db.run("UPDATE documents SET modified_at = $1, ingested_at = $2 WHERE path = $3",
                               modifiedAt, Self.now(), path)
                case .remove(let path):
                    try Self.deleteDocument(path: path, db)
                    changesIndex = true
                }
            }
            if changesIndex { try Self.bumpGeneration(db) }
        }
    }

    /// Deletes the document at `path`, if there is one: its chunks go with it and their terms with them (ON DELETE
    /// CASCADE), and the knowledge base's totals lose them.
    private static func deleteDocument(path: String, _ db: PostgresConnection) throws(PostgresError) {
        guard let id = try db.query("SELECT id FROM documents WHERE path = $1", path).first?[0].int64 else { return }
        try count(document: id, as: -1, db)
        try db.run("DELETE FROM documents WHERE id = $1", id)
    }

    /// Adds the chunks of document `id` and their lengths to the knowledge base's totals (`sign` 1), or takes
    /// them away (-1): BM25's N and average length, kept as chunks come and go.
    private static func count(document id: Int64, as sign: Int64, _ db: PostgresConnection) throws(PostgresError) {
        try db.run("""
            UPDATE knowledge_base SET chunk_count = chunk_count + $2 * s.n, token_total = token_total + $2 * s.t
            FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS t FROM chunks WHERE document_id = $1) s
            WHERE id = 1
            """, id, sign)
    }

    /// Inserts a document's chunks and their terms in one statement (the chunks go as arrays: one round trip per
    /// document, not per chunk). Each chunk's weighted tsvector of title, headings and text is unnested once into a
    /// term per row, with how often it stands in each column; the chunk's length in tokens is their sum.
    private static func insert(_ chunks: [NewChunk], document: Int64, title: String,
                               _ db: PostgresConnection) throws(PostgresError) {
        guard !chunks.isEmpty else { return }
        func integers(_ values: [Int?]) -> String { "{" + values.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}" }
        try db.run("""
            WITH input AS MATERIALIZED (
                SELECT * FROM unnest($2::integer[], $3::text[], $4::text[], $5::integer[], $6::integer[])
                    WITH ORDINALITY AS u(ordinal, headings, body, first_page, last_page, n)
            ), terms AS MATERIALIZED (
                SELECT i.ordinal, t.lexeme, t.positions, t.weights
                FROM input i, unnest(quarry_terms($7, i.headings, i.body)) t
            ), lengths AS (
                SELECT ordinal, sum(cardinality(positions)) AS tokens FROM terms GROUP BY ordinal
            ), chunk AS (
                INSERT INTO chunks (document_id, ordinal, heading_path, text, first_page, last_page, token_count)
                SELECT $1::bigint, i.ordinal, i.headings, i.body, i.first_page, i.last_page, coalesce(l.tokens, 0)
                FROM input i LEFT JOIN lengths l ON l.ordinal = i.ordinal ORDER BY i.n
                RETURNING id, ordinal, token_count
            )
            INSERT INTO chunk_terms (term, chunk_id, title, headings, body, length)
            SELECT t.lexeme, c.id, cardinality(array_positions(t.weights, 'A')),
                   cardinality(array_positions(t.weights, 'B')), cardinality(array_positions(t.weights, 'D')),
                   c.token_count
            FROM terms t JOIN chunk c ON c.ordinal = t.ordinal
            """, document, integers(chunks.map(\.ordinal)),
                   arrayLiteral(chunks.map { $0.headingPath.joined(separator: headingSeparator) }),
                   arrayLiteral(chunks.map(\.text)), integers(chunks.map { $0.pages?.lowerBound }),
                   integers(chunks.map { $0.pages?.upperBound }), title.storable)
    }

    /// Removes a document, its chunks and their terms, in one transaction.
    public func removeDocument(path: String) throws(StoreError) {
        try apply([.remove(path: path)])
    }

    /// Counts: documents read (not those that failed), chunks, chunks with an embedding from `model` (0 when nil),
    /// as of one moment.
    public func knowledgeBaseCounts(embeddingModel model: String?) throws(StoreError)
        -> (documents: Int, chunks: Int, embedded: Int)
    {
        try withReader { db throws(PostgresError) in
            let row = try db.query("""
                SELECT (SELECT count(*) FROM documents WHERE failure IS NULL), (SELECT count(*) FROM chunks),
                       (SELECT count(*) FROM chunks WHERE embedding_model = $1)
                """, model).first
            return (row?[0].int ?? 0, row?[1].int ?? 0, model == nil ? 0 : row?[2].int ?? 0)
        }
    }

    /// A number that changes whenever documents, chunks or embeddings change (and not when conversations do).
    public func knowledgeGeneration() throws(StoreError) -> Int64 {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT generation FROM knowledge_base WHERE id = 1").first?[0].int64 ?? 0
        }
    }

    static func bumpGeneration(_ db: PostgresConnection) throws(PostgresError) {
        try db.run("UPDATE knowledge_base SET generation = generation + 1 WHERE id = 1")
    }

    /// The chunks with these ids, in the order given (ids no longer stored are left out).
    public func chunks(ids: [Int64]) throws(StoreError) -> [ChunkRecord] {
        guard !ids.isEmpty else { return [] }
        return try withReader { db throws(PostgresError) in
            let rows = try db.query("""
                SELECT c.id, c.document_id, d.path, d.title, c.heading_path, c.text, c.first_page, c.last_page
                FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1::bigint[])
                """, Self.arrayLiteral(ids.map(String.init)))
            var byID: [Int64: ChunkRecord] = [:]
            for row in rows {
                let headings = row[4].string ?? ""
                let record = ChunkRecord(
                    id: row[0].int64 ?? 0, documentID: row[1].int64 ?? 0, documentPath: row[2].string ?? "",
                    documentTitle: row[3].string ?? "",
                    headingPath: headings.isEmpty ? [] : headings.split(separator: headingSeparator).map(String.init),
                    text: row[5].string ?? "", pages: pageRange(first: row[6].int, last: row[7].int))
                byID[record.id] = record
            }
            return ids.compactMap { byID[$0] }
        }
    }

    /// Chunks that have no embedding from `model` yet, oldest first, at most `limit`: the text embedded is the
    /// title, the headings and the chunk's text, a line each (as `Store` gives it).
    public func chunksNeedingEmbeddings(model: String, limit: Int) throws(StoreError) -> [(id: Int64, text: String)] {
        try withReader { db throws(PostgresError) in
            try db.query("""
                SELECT c.id, d.title || chr(10) || c.heading_path || chr(10) || c.text
                FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE c.embedding_model IS DISTINCT FROM $1 ORDER BY c.id LIMIT $2
                """, model, limit).map { ($0[0].int64 ?? 0, $0[1].string ?? "") }
        }
    }

    /// Stores embeddings (float32, little-endian, in `bytea` as SQLite's blob) made by `model`, in one transaction.
    public func setEmbeddings(_ embeddings: [(id: Int64, vector: [Float])], model: String) throws(StoreError) {
        try inTransaction { db throws(PostgresError) in
            for (id, vector) in embeddings {
                try db.run("UPDATE chunks SET embedding = $1, embedding_model = $2 WHERE id = $3",
                           Store.bytes(of: vector), model, id)
            }
            try Self.bumpGeneration(db)
        }
    }

    /// Every embedding from `model`: chunk ids and their vectors in one contiguous array. Rows whose length differs
    /// from the first one's are left out, as `Store` does.
    public func embeddings(model: String) throws(StoreError) -> (ids: [Int64], vectors: [Float], dimension: Int) {
        try withReader { db throws(PostgresError) in
            let rows = try db.query("SELECT id, embedding FROM chunks WHERE embedding_model = $1 ORDER BY id", model)
            var ids: [Int64] = [], vectors: [Float] = [], dimension = 0
            for row in rows {
                guard let id = row[0].int64, let bytes = row[1].bytes, !bytes.isEmpty, bytes.count % 4 == 0 else { continue }
                if dimension == 0 { dimension = bytes.count / 4 }
                guard bytes.count / 4 == dimension else { continue }
                ids.append(id)
                for i in 0..<dimension {
                    var bits: UInt32 = 0
                    for byte in 0..<4 { bits |= UInt32(bytes[i * 4 + byte]) << UInt32(byte * 8) }
                    vectors.append(Float(bitPattern: bits))
                }
            }
            return (ids, vectors, dimension)
        }
    }
}
