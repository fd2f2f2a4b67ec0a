// Combining the two rankings. Both are offered because the labelled questions decide between them
// (tools/bench/retrieval prints each; docs/retrieval.md has the figures):
//
// - Reciprocal rank fusion (Cormack et al., 2009): each list gives a chunk 1 / (k + rank). Uses ranks only, so it
//   needs no calibration, but a chunk that one method puts far ahead counts no more than one just ahead.
// - Weighted (a convex combination, as in Bruch et al., 2023): each chunk's BM25 divided by the best BM25 of the
//   question, and its cosine similarity (below zero counted as zero) divided by the best similarity, mixed with
//   the weight given to meaning. The cosine is computed for every candidate, from either list (the scan is exact
//   and cheap), so no candidate is missing half its score.

/// A chunk with its combined score and the parts it came from.
struct Fused: Sendable, Equatable {
    var id: Int64
    /// Higher is better.
    var score: Double
    var bm25: Double?
    var similarity: Float?
}

/// How BM25 and vector similarity are combined.
public enum Fusion: Sendable, Equatable {
    /// Reciprocal rank fusion with constant `k` (60 in the literature): larger flattens the difference between ranks.
    case reciprocalRank(k: Double)
    /// `meaning` × normalized similarity + (1 − `meaning`) × normalized BM25.
    case weighted(meaning: Double)

    /// What Quarry uses unless told otherwise: the better of the two on the labelled questions.
    public static let `default` = Fusion.weighted(meaning: 0.5)

    /// The candidates of both lists, best first. `lexical` holds BM25 scores (higher is better), `nearest` cosine
    /// similarities, each best first; `similarity` gives the cosine of any chunks.
    func fuse(lexical: [(id: Int64, score: Double)], nearest: [(id: Int64, similarity: Float)],
              similarity: ([Int64]) -> [Int64: Float]) -> [Fused] {
        var items: [Int64: Fused] = [:]
        var order: [Int64] = []  // first seen, for a stable order between equal scores
        for hit in lexical where items[hit.id] == nil {
            items[hit.id] = Fused(id: hit.id, score: 0, bm25: hit.score, similarity: nil)
            order.append(hit.id)
        }
        for hit in nearest {
            if items[hit.id] == nil { order.append(hit.id) }
            items[hit.id, default: Fused(id: hit.id, score: 0, bm25: nil, similarity: nil)].similarity = hit.similarity
        }
        switch self {
        case .reciprocalRank(let k):
            for (rank, hit) in lexical.enumerated() { items[hit.id]!.score += 1 / (k + Double(rank + 1)) }
            for (rank, hit) in nearest.enumerated() { items[hit.id]!.score += 1 / (k + Double(rank + 1)) }
        case .weighted(let meaning):
            let missing = order.filter { items[$0]!.similarity == nil }
            for (id, value) in similarity(missing) { items[id]?.similarity = value }
            let bestWords = lexical.map(\.score).max() ?? 0
            let bestMeaning = Double(items.values.compactMap(\.similarity).max() ?? 0)
            for id in order {
                let words = bestWords > 0 ? max(0, items[id]!.bm25 ?? 0) / bestWords : 0
                let sense = bestMeaning > 0 ? max(0, Double(items[id]!.similarity ?? 0)) / bestMeaning : 0
                items[id]!.score = meaning * sense + (1 - meaning) * words
            }
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        return order.map { items[$0]! }.sorted {
            $0.score != $1.score ? $0.score > $1.score : position[$0.id]! < position[$1.id]!
        }
    }
}
