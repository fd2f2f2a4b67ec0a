@testable import Retrieval
import Store
import TestSupport
import Testing

/// LexicalSearch scores only the chunks holding a rare word of the question (see LexicalSearch.swift); its lists
/// must be exactly what FTS5's ranking of the whole question over every chunk gives, among those chunks.
@Suite struct LexicalSearchTests {
    /// Deterministic words with a Zipf-like spread: a few common, many rare.
    struct Words {
        var state: UInt64
        let vocabulary = (0..<400).map { "w\($0)x" }
        mutating func next() -> String {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let uniform = Double(state >> 11) / Double(1 << 53)
            let rank = Int(Double(vocabulary.count) * uniform * uniform * uniform)  // skewed toward 0
            return vocabulary[min(rank, vocabulary.count - 1)]
        }
        mutating func text(_ count: Int) -> String { (0..<count).map { _ in next() }.joined(separator: " ") }
    }

    func makeStore(_ folder: String) throws -> Store {
        let store = try Store(path: folder + "/q.db")
        var words = Words(state: 1)
        for document in 0..<60 {
            try store.replaceDocument(
                path: "/d\(document)", title: words.text(2), contentHash: "\(document)", size: 1, modifiedAt: 1,
                chunks: (0..<8).map { NewChunk(ordinal: $0, headingPath: [words.text(2)], text: words.text(40)) })
        }
        return store
    }

    @Test func theListIsTheFullRankingOfTheChunksItConsiders() throws {
        try withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let weights = (title: 4.0, headings: 2.0, body: 1.0)
            var questions = Words(state: 99)
            var filled = 0
            for budget in [1, 40, 150, 400] {
                let search = LexicalSearch(store: store, weights: weights, budget: budget)
                for _ in 0..<40 {
                    let terms = QueryTerms(questions.text(6))
                    let found = try search.search(terms, limit: 10)
                    let counts = try store.documentFrequencies(of: terms.words)
                    let effective = try store.knowledgeBaseCounts().chunks / 2 <= budget ? Int.max : budget
                    let (rare, common) = LexicalSearch.split(terms.words, frequencies: counts, budget: effective)
                    func ids(_ words: [String]) throws -> Set<Int64> {
                        Set(try store.searchChunks(matching: ChunkQuery(anyOf: words), weights: weights, limit: 100_000).map(\.id))
                    }
                    let withRare = try ids(rare), withCommon = try ids(common)
                    let both = withRare.intersection(withCommon)
                    // Chunks with words of both kinds; if there are fewer than asked for, all chunks with a rare word.
                    let considered = common.isEmpty || both.count < 10 ? withRare : both
                    if !common.isEmpty && both.count < 10 { filled += 1 }
                    let everything = try store.searchChunks(matching: terms.query!, weights: weights, limit: 100_000)
                    let expected = Array(everything.filter { considered.contains($0.id) }.prefix(10))
                    #expect(found.count == expected.count, "budget \(budget), \(terms.words)")
                    for (got, want) in zip(found, expected) {
                        #expect(abs(got.score - want.score) < 1e-9, "budget \(budget), \(terms.words)")
                    }
                }
            }
            #expect(filled > 0, "the questions include some whose list is filled from chunks with only rare words")
        }
    }

    /// An unlimited budget, or a collection (480 chunks) of at most twice the budget: every word counts as rare.
    @Test(arguments: [Int.max, 240, 1_000])
    func theFullRankingWhenEveryWordIsRare(budget: Int) throws {
        try withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let search = LexicalSearch(store: store, weights: (4, 2, 1), budget: budget)
            var questions = Words(state: 7)
            for _ in 0..<20 {
                let terms = QueryTerms(questions.text(6))
                let full = try store.searchChunks(matching: terms.query!, weights: (4, 2, 1), limit: 64)
                let found = try search.search(terms, limit: 64)
                #expect(found.count == full.count)
                // The same sums, added in another order (rarest word first): equal up to rounding.
                #expect(zip(found, full).allSatisfy { abs($0.score - $1.score) < 1e-9 }, "\(terms.words)")
            }
        }
    }

    @Test(arguments: [
        // (words, frequencies, budget) → (rare, common)
        (["a", "b", "c"], ["a": 500, "b": 5, "c": 50], 100, ["b", "c"], ["a"]),
        (["a", "b", "c"], ["a": 500, "b": 5, "c": 50], 10, ["b"], ["c", "a"]),
        (["a", "b"], ["a": 5000, "b": 3000], 100, ["b"], ["a"]),  // at least one, even over budget
        (["a", "b", "c"], ["a": 0, "b": 7, "c": 0], 100, ["b"], []),  // words in no chunk are dropped
        (["a", "b"], ["a": 9, "b": 9], 100, ["a", "b"], []),  // ties keep the question's order
    ] as [([String], [String: Int], Int, [String], [String])])
    func rareWordsFirstWithinTheBudget(words: [String], frequencies: [String: Int], budget: Int, rare: [String], common: [String]) {
        let split = LexicalSearch.split(words, frequencies: frequencies, budget: budget)
        #expect(split.rare == rare && split.common == common)
    }

    @Test func aChangedKnowledgeBaseIsNotJudgedByOldFrequencies() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            let search = LexicalSearch(store: store, weights: (4, 2, 1), budget: 1_000)
            #expect(try search.search(QueryTerms("basalt"), limit: 8).isEmpty)
            try store.replaceDocument(path: "/b", title: "Basalt", contentHash: "h", size: 1, modifiedAt: 1,
                                      chunks: [NewChunk(ordinal: 0, headingPath: [], text: "Basalt is volcanic.")])
            #expect(try search.search(QueryTerms("basalt"), limit: 8).count == 1, "the cached count of 0 was dropped")
        }
    }
}

@Suite struct FusionTests {
    let lexical: [(id: Int64, score: Double)] = [(1, 10), (2, 9), (3, 2)]
    let nearest: [(id: Int64, similarity: Float)] = [(4, 0.9), (1, 0.5), (5, 0.45)]
    let all: [Int64: Float] = [1: 0.5, 2: 0.1, 3: 0.85, 4: 0.9, 5: 0.45]

    func fuse(_ fusion: Fusion) -> [Fused] {
        fusion.fuse(lexical: lexical, nearest: nearest, similarity: { ids in all.filter { ids.contains($0.key) } })
    }

    @Test func reciprocalRankAddsOneOverKPlusRank() {
        let fused = fuse(.reciprocalRank(k: 60))
        #expect(fused.first?.id == 1, "second in one list and first in the other beats first in one only")
        #expect(abs(fused[0].score - (1.0 / 61 + 1.0 / 62)) < 1e-12)
        #expect(Set(fused.map(\.id)) == [1, 2, 3, 4, 5])
        #expect(fused.first { $0.id == 2 }?.similarity == nil, "RRF needs no similarity for chunks the scan did not list")
    }

    @Test func weightedMixesNormalizedScores() {
        let fused = fuse(.weighted(meaning: 0.5))
        let byID = Dictionary(uniqueKeysWithValues: fused.map { ($0.id, $0) })
        let expected: Double = 0.5 * (0.5 / 0.9) + 0.5 * 1.0
        #expect(abs(byID[1]!.score - expected) < 1e-6)
        #expect(abs(byID[4]!.score - 0.5) < 1e-6, "no BM25: only the meaning half")
        #expect(byID[2]!.similarity == 0.1, "similarity is filled in for BM25's candidates")
        #expect(fused.map(\.id) == [1, 3, 2, 4, 5])
        #expect(fuse(.weighted(meaning: 0)).prefix(3).map(\.id) == [1, 2, 3], "all words: BM25's order")
        #expect(fuse(.weighted(meaning: 1)).prefix(3).map(\.id) == [4, 3, 1], "all meaning: the cosine order")
    }
}
