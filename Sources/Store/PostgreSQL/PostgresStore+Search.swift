// BM25 on PostgreSQL, computed as SQLite's FTS5 computes its bm25() (sqlite/ext/fts5/fts5_aux.c), over the postings
// of `chunk_terms` (PostgresSchema+Search.swift), so that Retrieval's ranking and its rare/common split
// (LexicalSearch.swift) mean the same on both:
//
//     score(D) = −Σ over the query's terms t of  idf(t) · f(t, D) · (k1 + 1) / (f(t, D) + k1 · (1 − b + b · |D| / avgdl))
//     idf(t)   = ln((N − n(t) + 0.5) / (n(t) + 0.5)), at least 1e-6
//     f(t, D)  = wTitle · (occurrences in the title) + wHeadings · (… in the headings) + wBody · (… in the body)
//
// with k1 = 1.2, b = 0.75, N the number of chunks, n(t) how many hold t, |D| the chunk's length in tokens (every
// column) and avgdl their mean. Lower is better, as FTS5 reports it. Only chunks holding a rare term are read
// (`candidates`), then every term of the query is looked up in those chunks' postings: the work follows the rare
// terms, as in FTS5.
//
// Words become terms in PostgreSQL, as the chunks' text did (`quarry_words`, the `quarry_english` configuration),
// and arrive as one bound array: a word is data, whatever it holds. A word PostgreSQL cuts into several terms
// ("don't", never one from QueryTerms) matches a chunk holding all of them, as FTS5's quoted phrase would (FTS5
// also asks them to stand side by side), and each of its terms counts in the score.
// As in FTS5, two words of one stem ("file", "files") each count.
internal import Postgres

extension PostgresStore {
    /// The chunks matching `query`, best first, with their BM25 scores (lower is better, as FTS5 reports them).
    /// `weights` weigh the title, headings and body.
    public func searchChunks(matching query: ChunkQuery, weights: (title: Double, headings: Double, body: Double),
                             limit: Int) throws(StoreError) -> [(id: Int64, score: Double)] {
        guard !query.rare.isEmpty, limit > 0 else { return [] }
        return try withReader { db throws(PostgresError) in
            try db.query("""
                WITH words AS (
                    SELECT w.rare, w.i, tsvector_to_array(to_tsvector('quarry_english', quarry_words(w.word))) AS terms
                    FROM (
                        SELECT true AS rare, i, word FROM unnest($1::text[]) WITH ORDINALITY AS u(word, i)
                        UNION ALL
                        SELECT false, i, word FROM unnest($2::text[]) WITH ORDINALITY AS u(word, i)
                    ) w
                ), word_terms AS (
                    SELECT rare, i, unnest(terms) AS term, cardinality(terms) AS size FROM words
                ), stats AS (
                    SELECT count(*)::float8 AS n, coalesce(avg(token_count), 1)::float8 AS avgdl FROM chunks
                ), idf AS (
                    SELECT t.term, greatest(ln((s.n - f.n + 0.5) / (f.n + 0.5)), 1e-6) AS idf
                    FROM (SELECT DISTINCT term FROM word_terms) t CROSS JOIN stats s
                    CROSS JOIN LATERAL (SELECT count(*)::float8 AS n FROM chunk_terms p WHERE p.term = t.term) f
                ), with_rare AS (
                    -- Chunks holding every term of at least one rare word.
                    SELECT DISTINCT chunk_id FROM (
                        SELECT p.chunk_id FROM word_terms w JOIN chunk_terms p ON p.term = w.term WHERE w.rare
                        GROUP BY p.chunk_id, w.i, w.size HAVING count(*) = w.size
                    ) holding
                ), with_both AS (
                    -- Of those, the chunks holding every term of at least one common word too.
                    SELECT DISTINCT chunk_id FROM (
                        SELECT k.chunk_id FROM with_rare k CROSS JOIN word_terms w
                        JOIN chunk_terms p ON p.term = w.term AND p.chunk_id = k.chunk_id
                        WHERE NOT w.rare GROUP BY k.chunk_id, w.i, w.size HAVING count(*) = w.size
                    ) holding
                ), candidates AS (
                    SELECT chunk_id FROM with_rare WHERE NOT $6::boolean
                    UNION ALL
                    SELECT chunk_id FROM with_both WHERE $6::boolean
                ), scored AS (
                    SELECT c.id,
                           sum(i.idf * f.f * 2.2 / (f.f + 1.2 * (0.25 + 0.75 * c.token_count / s.avgdl))) AS bm25
                    FROM candidates k
                    JOIN chunks c ON c.id = k.chunk_id
                    CROSS JOIN word_terms w
                    JOIN idf i ON i.term = w.term
                    JOIN chunk_terms p ON p.term = w.term AND p.chunk_id = k.chunk_id
                    CROSS JOIN stats s
                    CROSS JOIN LATERAL (SELECT $3::float8 * p.title + $4::float8 * p.headings + $5::float8 * p.body AS f) f
                    GROUP BY c.id
                )
                SELECT id, -bm25 FROM scored ORDER BY bm25 DESC, id LIMIT $7
                """, Self.arrayLiteral(query.rare), Self.arrayLiteral(query.common), weights.title, weights.headings,
                weights.body, !query.common.isEmpty, limit)
                .map { ($0[0].int64 ?? 0, $0[1].double ?? 0) }
        }
    }

    /// How many chunks contain each word, as the index stems and folds it ("files" counts the chunks with "file");
    /// a word cut into several terms counts the chunks holding all of them.
    public func documentFrequencies(of words: [String]) throws(StoreError) -> [String: Int] {
        guard !words.isEmpty else { return [:] }
        return try withReader { db throws(PostgresError) in
            var counts: [String: Int] = [:]
            for row in try db.query("""
                SELECT w.word, (
                    SELECT count(*) FROM (
                        SELECT p.chunk_id FROM chunk_terms p WHERE p.term = ANY(t.terms)
                        GROUP BY p.chunk_id HAVING count(*) = cardinality(t.terms)
                    ) holding)
                FROM unnest($1::text[]) AS w(word)
                CROSS JOIN LATERAL (
                    SELECT tsvector_to_array(to_tsvector('quarry_english', quarry_words(w.word))) AS terms) t
                """, Self.arrayLiteral(words))
            {
                counts[row[0].string ?? ""] = row[1].int ?? 0
            }
            return counts
        }
    }

    /// `values` as a PostgreSQL array literal (`{"a","b\"c"}`), bound as one text parameter and cast to an array:
    /// each element in double quotes, a backslash or double quote inside escaped, so none of it is syntax. NUL, which
    /// no PostgreSQL text holds, is dropped.
    static func arrayLiteral(_ values: [String]) -> String {
        var out = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for scalar in value.unicodeScalars where scalar != "\0" {
                if scalar == "\\" || scalar == "\"" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
            out += "\""
        }
        return out + "}"
    }
}
