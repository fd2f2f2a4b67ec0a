// PostgreSQL's own ranking, ts_rank_cd, in place of BM25, to measure it against BM25 (the issue asks for BM25 "or
// ts_rank_cd if it measures as well"). A KnowledgeStorage that is the PostgresStore in everything but
// searchChunks, which ranks a table of the chunks' weighted tsvectors (GIN-indexed, made here from the same
// `quarry_terms`) by ts_rank_cd with the column weights scaled into its 0…1 range, negated so lower is better.
// LexicalSearch's rare/common split still applies: only the ranking differs.
import Postgres
import Store

final class TsRankStorage: KnowledgeStorage, @unchecked Sendable {
    let base: PostgresStore
    // One owner: the benchmark asks one question at a time.
    let db: PostgresConnection

    init(_ base: PostgresStore, url: String) throws {
        self.base = base
        db = try PostgresConnection(PostgresConfiguration(url: url))
        try db.execute("""
            DROP TABLE IF EXISTS bench_chunk_vectors;
            CREATE TABLE bench_chunk_vectors AS
                SELECT c.id, quarry_terms(d.title, c.heading_path, c.text) AS terms
                FROM chunks c JOIN documents d ON d.id = c.document_id;
            CREATE INDEX ON bench_chunk_vectors USING gin (terms);
            ANALYZE bench_chunk_vectors;
            CREATE OR REPLACE AGGREGATE bench_any(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);
            """)
    }

    func searchChunks(matching query: ChunkQuery, weights: (title: Double, headings: Double, body: Double),
                      limit: Int) throws(StoreError) -> [(id: Int64, score: Double)] {
        guard !query.rare.isEmpty else { return [] }
        let top = max(weights.title, weights.headings, weights.body)
        // ts_rank_cd's weights are {D, C, B, A}: body, unused, headings, title.
        let scaled = "{\(weights.body / top),0,\(weights.headings / top),\(weights.title / top)}"
        do throws(PostgresError) {
            return try db.query("""
                WITH q AS (
                    SELECT (SELECT bench_any(r) FROM (SELECT phraseto_tsquery('quarry_english', quarry_words(w)) AS r
                                                        FROM unnest($1::text[]) w) x) AS rare,
                           (SELECT bench_any(r) FROM (SELECT phraseto_tsquery('quarry_english', quarry_words(w)) AS r
                                                        FROM unnest($2::text[]) w) x) AS common
                ), matched AS (
                    SELECT v.id, v.terms, q.rare, q.common FROM bench_chunk_vectors v, q
                    WHERE v.terms @@ q.rare AND (q.common IS NULL OR v.terms @@ q.common)
                )
                SELECT id, -ts_rank_cd($3::float4[], terms, CASE WHEN common IS NULL THEN rare ELSE rare || common END) AS score
                FROM matched ORDER BY score, id LIMIT $4
                """, arrayLiteral(query.rare), arrayLiteral(query.common), scaled, limit)
                .map { ($0[0].int64 ?? 0, $0[1].double ?? 0) }
        } catch {
            throw .postgres(error)
        }
    }

    func beginIngestionTurn() throws(StoreError) -> Bool { try base.beginIngestionTurn() }
    func endIngestionTurn() { base.endIngestionTurn() }
    func documents() throws(StoreError) -> [String: DocumentRecord] { try base.documents() }
    func apply(_ changes: [DocumentChange]) throws(StoreError) { try base.apply(changes) }
    func removeDocument(path: String) throws(StoreError) { try base.removeDocument(path: path) }
    func knowledgeBaseCounts(embeddingModel model: String?) throws(StoreError) -> (documents: Int, chunks: Int, embedded: Int) {
        try base.knowledgeBaseCounts(embeddingModel: model)
    }
    func knowledgeGeneration() throws(StoreError) -> Int64 { try base.knowledgeGeneration() }
    func documentFrequencies(of words: [String]) throws(StoreError) -> [String: Int] { try base.documentFrequencies(of: words) }
    func chunks(ids: [Int64]) throws(StoreError) -> [ChunkRecord] { try base.chunks(ids: ids) }
    func chunksNeedingEmbeddings(model: String, limit: Int) throws(StoreError) -> [(id: Int64, text: String)] {
        try base.chunksNeedingEmbeddings(model: model, limit: limit)
    }
    func setEmbeddings(_ embeddings: [(id: Int64, vector: [Float])], model: String) throws(StoreError) {
        try base.setEmbeddings(embeddings, model: model)
    }
    func embeddings(model: String) throws(StoreError) -> (ids: [Int64], vectors: [Float], dimension: Int) {
        try base.embeddings(model: model)
    }
}

/// `values` as a PostgreSQL array literal, each element quoted (as PostgresStore binds word lists).
func arrayLiteral(_ values: [String]) -> String {
    "{" + values.map { value in
        "\"" + value.unicodeScalars.filter { $0 != "\0" }.map { $0 == "\\" || $0 == "\"" ? "\\\($0)" : "\($0)" }.joined() + "\""
    }.joined(separator: ",") + "}"
}
