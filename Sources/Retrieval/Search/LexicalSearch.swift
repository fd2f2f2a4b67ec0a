// BM25 through FTS5, scoring only the chunks that can make the list.
//
// FTS5's bm25() costs about a microsecond for every chunk a query matches, and a person's question is full of
// common words ("file", "list", "value"): OR-ed together they match most of the collection, and ranking all of it
// took 8 ms at the median and 17 ms at p99 on the Python documentation (12,700 chunks). So:
//
// 1. Each word's document frequency comes from the index (cached until the database changes). Words are taken
//    rarest first into R while the chunks they match stay within a budget (1,000 by default), and always at least
//    one; the rest, the common words, are C.
// 2. Two FTS5 queries, each ranked by bm25() with the column weights: `(R) AND (C)` gives the chunks holding words
//    of both kinds their full score, and `(R)` gives the rest of R's chunks theirs. BM25 is a sum over the words
//    (each word's idf depends only on that word), so for every chunk containing a word of R the score is exactly
//    the score of the whole question. Merging the two top-k lists (a chunk in both keeps the first's score) gives
//    exactly the top k among those chunks: a chunk only in the second list but holding C words scores at most
//    what the first list's k-th does, and is listed with less, so it never displaces one that belongs.
// 3. Chunks that hold only common words are not considered. On the labelled questions this changes no answer
//    (recall and MRR are those of ranking everything; docs/retrieval.md has the figures), and it keeps the work
//    proportional to how rare the question's rarest words are rather than to the size of the collection.
internal import Locking
internal import Store

/// Lexical search: the question's words against the full-text index.
struct LexicalSearch: Sendable {
    let store: Store
    let weights: (title: Double, headings: Double, body: Double)
    /// How many chunks the rare words may match before the next word counts as common.
    let budget: Int
    private let cache = Locked<Frequencies?>(nil)

    /// Document frequencies of the words asked about so far, valid while the knowledge base's generation is
    /// `generation`.
    struct Frequencies: Sendable {
        var generation: Int64
        var counts: [String: Int]
    }

    init(store: Store, weights: (title: Double, headings: Double, body: Double), budget: Int) {
        self.store = store
        self.weights = weights
        self.budget = budget
    }

    /// The `limit` best chunks for `terms`, best first, with FTS5's BM25 score (lower is better).
    func search(_ terms: QueryTerms, limit: Int) throws(StoreError) -> [(id: Int64, score: Double)] {
        let counts = try frequencies(of: terms.words)
        let (rare, common) = Self.split(terms.words, frequencies: counts, budget: budget)
        guard let rareExpression = QueryTerms.expression(rare) else { return [] }
        guard let commonExpression = QueryTerms.expression(common) else {
            return try store.searchChunks(matching: rareExpression, weights: weights, limit: limit)
        }
        let both = try store.searchChunks(matching: "(\(rareExpression)) AND (\(commonExpression))", weights: weights,
                                          limit: limit)
        let rareOnly = try store.searchChunks(matching: rareExpression, weights: weights, limit: limit)
        var seen = Set(both.map(\.id))
        let merged = both + rareOnly.filter { seen.insert($0.id).inserted }
        return Array(merged.sorted { $0.score < $1.score }.prefix(limit))
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

    /// How many chunks contain each word, from the cache while the knowledge base is unchanged.
    private func frequencies(of words: [String]) throws(StoreError) -> [String: Int] {
        let generation = try store.knowledgeGeneration()
        let cached = cache.current
        var counts = cached?.generation == generation ? cached!.counts : [:]
        let unknown = words.filter { counts[$0] == nil }
        if !unknown.isEmpty {
            for (word, count) in try store.documentFrequencies(of: unknown) { counts[word] = count }
            // Bounded: a long-running server hears many words; start over rather than grow without end.
            if counts.count > 50_000 { counts = Dictionary(uniqueKeysWithValues: words.compactMap { w in counts[w].map { (w, $0) } }) }
            cache.withLock { $0 = Frequencies(generation: generation, counts: counts) }
        }
        return counts
    }
}
