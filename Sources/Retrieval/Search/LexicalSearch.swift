// BM25 through FTS5, scoring only the chunks that can make the list.
//
// FTS5's bm25() costs about a microsecond for every chunk a query matches, and a person's question is full of
// common words ("file", "list", "value"): OR-ed together they match most of the collection, and ranking all of it
// took 8 ms at the median and 17 ms at p99 on the Python documentation (12,700 chunks). So:
//
// 1. Each word's document frequency comes from the index (cached until the knowledge base changes). Words are
//    taken rarest first into R while the chunks they match stay within a budget (1,000 by default), and always
//    at least one; the rest, the common words, are C. A collection of at most twice the budget is cheap to score
//    whole: there every word is in R, and the ranking is FTS5's over every chunk.
// 2. One query, `(R) AND (C)` (a `ChunkQuery`; FTS5's expression in SQLite), ranked by bm25() with the column
//    weights, over every word of the question:
//    BM25 is a sum over the words, each word's idf depends only on that word, so each of these chunks gets exactly
//    the score the whole question would give it. Only chunks with a rare word are scored, so the work follows how
//    rare the question's rarest words are, not the size of the collection.
// 3. If that gives fewer than the chunks asked for, it holds every chunk with words of both kinds, and the list is
//    filled from the chunks with only rare words (query `(R)`; their score is the whole question's too, as they
//    hold no common word). Chunks with only common words are never considered.
//
// On the labelled questions this ranks as well as scoring every chunk (recall@8 and MRR@8 equal or better;
// docs/retrieval.md has the figures) in a quarter of the time. The test suite checks the lists against FTS5's full
// ranking.
internal import Locking
internal import Store

/// Lexical search: the question's words against the full-text index.
struct LexicalSearch: Sendable {
    let store: any KnowledgeStorage
    let weights: (title: Double, headings: Double, body: Double)
    /// How many chunks the rare words may match before the next word counts as common.
    let budget: Int
    private let cache = Locked<Frequencies?>(nil)

    /// Document frequencies of the words asked about so far, valid while the knowledge base's generation is
    /// `generation`.
    struct Frequencies: Sendable {
        var generation: Int64
        /// How many chunks there are.
        var chunks: Int
        var counts: [String: Int]
    }

    init(store: any KnowledgeStorage, weights: (title: Double, headings: Double, body: Double), budget: Int) {
        self.store = store
        self.weights = weights
        self.budget = budget
    }

    /// The `limit` best chunks for `terms`, best first, with FTS5's BM25 score (lower is better).
    func search(_ terms: QueryTerms, limit: Int) throws(StoreError) -> [(id: Int64, score: Double)] {
        let statistics = try frequencies(of: terms.words)
        // A collection this small costs little to score whole: every word counts as rare, and the list is exact.
        let budget = statistics.chunks / 2 <= budget ? Int.max : budget
        let (rare, common) = Self.split(terms.words, frequencies: statistics.counts, budget: budget)
        guard !rare.isEmpty else { return [] }
        guard !common.isEmpty else {
            return try store.searchChunks(matching: ChunkQuery(anyOf: rare), weights: weights, limit: limit)
        }
        let both = try store.searchChunks(matching: ChunkQuery(anyOf: rare, andAnyOf: common), weights: weights,
                                          limit: limit)
        guard both.count < limit else { return both }
        let found = Set(both.map(\.id))
        let rareOnly = try store.searchChunks(matching: ChunkQuery(anyOf: rare), weights: weights, limit: limit)
            .filter { !found.contains($0.id) }
        return Array((both + rareOnly).sorted { $0.score < $1.score }.prefix(limit))
    }

    /// The words that match something, split into the rare ones (rarest first, their chunks within `budget`, at
    /// least one) and the common rest.
    static func split(_ words: [String], frequencies: [String: Int], budget: Int) -> (rare: [String], common: [String]) {
        let present = words.enumerated()
            .filter { (frequencies[$0.element] ?? 0) > 0 }
            .sorted { (frequencies[$0.element]!, $0.offset) < (frequencies[$1.element]!, $1.offset) }
            .map(\.element)
        var rare: [String] = [], matched = 0
        for word in present {
            let count = frequencies[word]!
            guard rare.isEmpty || matched + count <= budget else { break }
            rare.append(word)
            matched += count
        }
        return (rare, Array(present.dropFirst(rare.count)))
    }

    /// Each word's rarity in the knowledge base (BM25's idf; see Relevance.swift), from the same cache.
    func rarity(of words: [String]) throws(StoreError) -> [String: Double] {
        let statistics = try frequencies(of: words)
        var rarity: [String: Double] = [:]
        for word in words { rarity[word] = Relevance.rarity(count: statistics.counts[word] ?? 0, chunks: statistics.chunks) }
        return rarity
    }

    /// How many chunks contain each word, from the cache while the knowledge base is unchanged.
    private func frequencies(of words: [String]) throws(StoreError) -> Frequencies {
        let generation = try store.knowledgeGeneration()
        let cached = cache.current
        if let cached, cached.generation == generation, words.allSatisfy({ cached.counts[$0] != nil }) { return cached }
        var statistics = cached?.generation == generation ? cached!
            : Frequencies(generation: generation, chunks: try store.knowledgeBaseCounts().chunks, counts: [:])
        let unknown = words.filter { statistics.counts[$0] == nil }
        for (word, count) in try store.documentFrequencies(of: unknown) { statistics.counts[word] = count }
        // Bounded: a long-running server hears many words; start over rather than grow without end.
        if statistics.counts.count > 50_000 { statistics.counts = statistics.counts.filter { words.contains($0.key) } }
        cache.withLock { [statistics] in $0 = statistics }
        return statistics
    }
}
