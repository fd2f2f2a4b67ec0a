// BM25 on PostgreSQL, computed as SQLite's FTS5 computes its bm25() (sqlite/ext/fts5/fts5_aux.c), over the postings
// of `chunk_terms` (PostgresSchema+Search.swift), so that Retrieval's ranking and its rare/common split
// (LexicalSearch.swift) mean the same on both:
//
//     score(D) = −Σ over the query's terms t of  idf(t) · f(t, D) · (k1 + 1) / (f(t, D) + k1 · (1 − b + b · |D| / avgdl))
//     idf(t)   = ln((N − n(t) + 0.5) / (n(t) + 0.5)), at least 1e-6
//     f(t, D)  = wTitle · (occurrences in the title) + wHeadings · (… in the headings) + wBody · (… in the body)
//
// with k1 = 1.2, b = 0.75, N the number of chunks, n(t) how many hold t, |D| the chunk's length in tokens (every
// column) and avgdl their mean (N and the lengths' sum are kept in `knowledge_base`). Lower is better, as FTS5
// reports it. The rare words' postings are read whole (they are few: that is how LexicalSearch chose them); the
// common words' postings are looked up only in the chunks holding a rare word, so the work follows the rare words, not
// the size of the collection. Scoring reads only the postings index (each posting carries its chunk's length).
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
                WITH word_terms AS MATERIALIZED (
                    SELECT w.rare, w.i, t.term, cardinality(t0.terms) AS size
                    FROM (
                        SELECT true AS rare, i, word FROM unnest($1::text[]) WITH ORDINALITY AS u(word, i)
                        UNION ALL
                        SELECT false, i, word FROM unnest($2::text[]) WITH ORDINALITY AS u(word, i)
                    ) w
                    CROSS JOIN LATERAL (
                        SELECT tsvector_to_array(to_tsvector('quarry_english', quarry_words(w.word))) AS terms) t0
                    CROSS JOIN LATERAL unnest(t0.terms) AS t(term)
                ), stats AS MATERIALIZED (
                    SELECT chunk_count::float8 AS n,
                           CASE WHEN chunk_count > 0 THEN token_total::float8 / chunk_count ELSE 1 END AS avgdl
                    FROM knowledge_base WHERE id = 1
                ), idf AS MATERIALIZED (
                    SELECT t.term, greatest(ln((s.n - f.n + 0.5) / (f.n + 0.5)), 1e-6) AS idf
                    FROM (SELECT DISTINCT term FROM word_terms) t CROSS JOIN stats s
                    CROSS JOIN LATERAL (SELECT count(*)::float8 AS n FROM chunk_terms p WHERE p.term = t.term) f
                ), rare_postings AS MATERIALIZED (
                    -- Every posting of the rare words' terms: few, by the rare words' choice.
                    SELECT w.i, w.size, w.term, p.chunk_id, p.title, p.headings, p.body, p.length
                    FROM word_terms w JOIN chunk_terms p ON p.term = w.term WHERE w.rare
                ), with_rare AS MATERIALIZED (
                    -- Chunks holding every term of at least one rare word.
                    SELECT DISTINCT chunk_id FROM (
                        SELECT chunk_id FROM rare_postings GROUP BY chunk_id, i, size HAVING count(*) = size
                    ) holding
                ), common_postings AS MATERIALIZED (
                    -- The common words' postings in those chunks only: looked up chunk by chunk, never read whole.
                    -- (OFFSET 0 keeps each lookup a probe of the primary key: the planner, which cannot know how
                    -- many chunks hold a rare word, would otherwise read every posting of those chunks.)
                    SELECT w.i, w.size, w.term, k.chunk_id, p.title, p.headings, p.body, p.length
                    FROM with_rare k CROSS JOIN word_terms w
                    CROSS JOIN LATERAL (
                        SELECT p.title, p.headings, p.body, p.length FROM chunk_terms p
                        WHERE p.term = w.term AND p.chunk_id = k.chunk_id OFFSET 0
                    ) p
                    WHERE NOT w.rare
                ), candidates AS (
                    SELECT chunk_id FROM with_rare WHERE NOT $6::boolean
                    UNION ALL
                    -- Of those, the chunks holding every term of at least one common word too.
                    SELECT DISTINCT chunk_id FROM (
                        SELECT chunk_id FROM common_postings GROUP BY chunk_id, i, size HAVING count(*) = size
                    ) holding WHERE $6::boolean
                ), scored AS (
                    SELECT x.chunk_id AS id,
                           sum(i.idf * f.f * 2.2 / (f.f + 1.2 * (0.25 + 0.75 * x.length / s.avgdl))) AS bm25
                    FROM (SELECT * FROM rare_postings UNION ALL SELECT * FROM common_postings) x
                    JOIN idf i ON i.term = x.term
                    CROSS JOIN stats s
                    CROSS JOIN LATERAL (SELECT $3::float8 * x.title + $4::float8 * x.headings + $5::float8 * x.body AS f) f
                    WHERE x.chunk_id IN (SELECT chunk_id FROM candidates)
                    GROUP BY x.chunk_id
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
                SELECT w.word, CASE cardinality(t.terms)
                    WHEN 0 THEN 0
                    WHEN 1 THEN (SELECT count(*) FROM chunk_terms p WHERE p.term = t.terms[1])
                    ELSE (SELECT count(*) FROM (
                        SELECT p.chunk_id FROM chunk_terms p WHERE p.term = ANY(t.terms)
                        GROUP BY p.chunk_id HAVING count(*) = cardinality(t.terms)
                    ) holding) END
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
    /// each element in double quotes, a backslash or double quote inside escaped, so none of it is syntax. A NUL,
    /// which no PostgreSQL text holds, becomes U+FFFD, as everywhere in this store (`storable`).
    static func arrayLiteral(_ values: [String]) -> String {
        var out = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for scalar in value.storable.unicodeScalars {
                if scalar == "\\" || scalar == "\"" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
            out += "\""
        }
        return out + "}"
    }
}
