// Finding chunks: BM25 over the full-text index, chunk details, and the embeddings for vector search.
internal import SQLite

/// A chunk found, with what sources show.
public struct ChunkRecord: Sendable, Equatable {
    public var id: Int64
    public var documentID: Int64
    public var documentPath: String
    public var documentTitle: String
    /// The headings it sits under, outermost first.
    public var headingPath: [String]
    public var text: String
    /// The pages its text is on, in a document with pages.
    public var pages: ClosedRange<Int>?

    public init(id: Int64, documentID: Int64, documentPath: String, documentTitle: String, headingPath: [String],
                text: String, pages: ClosedRange<Int>? = nil) {
        self.id = id
        self.documentID = documentID
        self.documentPath = documentPath
        self.documentTitle = documentTitle
        self.headingPath = headingPath
        self.text = text
        self.pages = pages
    }
}

extension Store {
    /// The chunks matching `query`, best first, with their BM25 scores (lower is better, as FTS5 reports them).
    /// `weights` weigh the title, headings and body columns.
    public func searchChunks(matching query: ChunkQuery, weights: (title: Double, headings: Double, body: Double),
                             limit: Int) throws(StoreError) -> [(id: Int64, score: Double)] {
        guard let expression = Self.expression(query) else { return [] }
        return try withReader { db throws(SQLiteError) in
            // `rank MATCH` sets this query's ranking function; ordering by FTS5's `rank` column (rather than by a
            // bm25() expression) lets FTS5 sort as it reads, about twice as fast.
            let sql = """
                SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? AND rank MATCH ? ORDER BY rank LIMIT ?
                """
            let ranking = "bm25(\(weights.title), \(weights.headings), \(weights.body))"
            return try db.query(sql, expression, ranking, limit).map { ($0[0].int64 ?? 0, $0[1].double ?? 0) }
        }
    }

    /// The FTS5 expression for `query`: `"r1" OR "r2"`, or `("r1" OR "r2") AND ("c1" OR "c2")`; nil without rare
    /// words.
    static func expression(_ query: ChunkQuery) -> String? {
        guard let rare = anyOf(query.rare) else { return nil }
        guard let common = anyOf(query.common) else { return rare }
        return "(\(rare)) AND (\(common))"
    }

    /// Each word as an FTS5 string (a phrase of whatever tokens it holds), any of them; nil when there are none.
    private static func anyOf(_ words: [String]) -> String? {
        guard !words.isEmpty else { return nil }
        return words.map(quoted).joined(separator: " OR ")
    }

    /// `word` as an FTS5 string: in double quotes, a double quote inside doubled. Nothing in it is syntax then. NUL
    /// is dropped: SQLite would end the expression there, unterminated.
    static func quoted(_ word: String) -> String {
        var out = "\""
        for scalar in word.unicodeScalars where scalar != "\0" {
            if scalar == "\"" { out += "\"" }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    /// How many chunks contain each word (as the index stems it): FTS5's own document frequencies, which its
    /// bm25() uses for idf.
    public func documentFrequencies(of words: [String]) throws(StoreError) -> [String: Int] {
        try withReader { db throws(SQLiteError) in
            let count = try db.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?")
            var counts: [String: Int] = [:]
            for word in words {
                try count.bind([Self.quoted(word)])
                counts[word] = try count.next()?[0].int ?? 0
                count.reset()
            }
            return counts
        }
    }

    /// The chunks with these ids, in the order given (ids no longer stored are left out).
    public func chunks(ids: [Int64]) throws(StoreError) -> [ChunkRecord] {
        guard !ids.isEmpty else { return [] }
        return try withReader { db throws(SQLiteError) in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try db.query("""
                SELECT c.id, c.document_id, d.path, d.title, c.heading_path, c.text, c.first_page, c.last_page
                FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN (\(placeholders))
                """, bindings: ids.map { $0 })
            var byID: [Int64: ChunkRecord] = [:]
            for row in rows {
                let headings = (row[4].string ?? "")
                let record = ChunkRecord(
                    id: row[0].int64 ?? 0, documentID: row[1].int64 ?? 0, documentPath: row[2].string ?? "",
                    documentTitle: row[3].string ?? "",
                    headingPath: headingPath(headings),
                    text: row[5].string ?? "", pages: pageRange(first: row[6].int, last: row[7].int))
                byID[record.id] = record
            }
            return ids.compactMap { byID[$0] }
        }
    }

    /// Chunks that have no embedding from `model` yet, oldest first, at most `limit`.
    public func chunksNeedingEmbeddings(model: String, limit: Int) throws(StoreError) -> [(id: Int64, text: String)] {
        try withReader { db throws(SQLiteError) in
            try db.query("""
                SELECT c.id, d.title || char(10) || c.heading_path || char(10) || c.text
                FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE c.embedding_model IS NULL OR c.embedding_model <> ? ORDER BY c.id LIMIT ?
                """, model, limit).map { ($0[0].int64 ?? 0, $0[1].string ?? "") }
        }
    }

    /// Stores embeddings (float32, little-endian) made by `model`, in one transaction.
    public func setEmbeddings(_ embeddings: [(id: Int64, vector: [Float])], model: String) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) in
                let update = try db.prepare("UPDATE chunks SET embedding = ?, embedding_model = ? WHERE id = ?")
                for (id, vector) in embeddings {
                    try update.bind([Self.bytes(of: vector), model, id])
                    try update.run()
                    update.reset()
                }
                try Self.bumpGeneration(db)
            }
        }
    }

    /// Every embedding from `model`: chunk ids and their vectors, in one contiguous array (row i is
    /// `vectors[i * dimension ..< (i + 1) * dimension]`).
    public func embeddings(model: String) throws(StoreError) -> (ids: [Int64], vectors: [Float], dimension: Int) {
        try withReader { db throws(SQLiteError) in
            let statement = try db.prepare("SELECT id, embedding FROM chunks WHERE embedding_model = ? ORDER BY id")
            try statement.bind([model])
            var ids: [Int64] = [], vectors: [Float] = [], dimension = 0
            while let row = try statement.next() {
                guard let id = row[0].int64, let blob = row[1].blob, !blob.isEmpty, blob.count % 4 == 0 else { continue }
                if dimension == 0 { dimension = blob.count / 4 }
                guard blob.count / 4 == dimension else { continue }
                ids.append(id)
                blob.withUnsafeBytes { raw in
                    for i in 0..<dimension { vectors.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))) }
                }
            }
            return (ids, vectors, dimension)
        }
    }

    static func bytes(of vector: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }
        return out
    }
}
