// The relevance percentage a source shows, defined so that it means something and never contradicts the order:
//
// - Coverage (the default): the share of the question's informative words (QueryTerms) that the passage contains,
//   counting its title and headings, with light suffix folding ("errors" finds "error", "decoding" finds
//   "decode"). A passage that has every word the question is about covers 100 %.
// - Weighted coverage (measured, not the default): the same share with each word counting by its rarity in the
//   knowledge base (BM25's inverse document frequency), so the word that names the subject weighs most. On the
//   labelled questions it did not tell right passages from wrong ones better than plain coverage (ROC AUC printed
//   by tools/bench/retrieval; docs/retrieval.md), so it is offered to the benchmark only.
// - With embeddings, the mean of either and the passage's cosine similarity to the question (clamped to 0…1).
// - Down the ranked list a percentage never rises: each is capped at the one above it, so the list reads in order.
//
// BM25 and fused scores are not percentages of anything (their scale changes with the corpus and the question),
// which is why the percentage is not derived from them.
#if canImport(Glibc)
internal import Glibc
#endif

/// How the percentage beside a source is computed (see Relevance.swift).
public enum RelevanceMeasure: Sendable, Equatable {
    /// The share of the question's informative words the passage contains, each counting the same.
    case coverage
    /// The same share with each word weighted by its rarity in the knowledge base (BM25's idf).
    case weightedCoverage
}

enum Relevance {
    /// Percentages for results already in rank order; `rarity` gives each of the question's words its weight
    /// (words it does not name weigh 1).
    static func percentages(question terms: QueryTerms, rarity: [String: Double] = [:],
                            passages: [(text: String, similarity: Float?)]) -> [Int] {
        var weights: [String: Double] = [:]
        for word in terms.words { weights[fold(word), default: 0] += rarity[word] ?? 1 }
        let total = weights.values.reduce(0, +)
        var previous = 100
        return passages.map { passage in
            var share = 1.0
            if total > 0 {
                let present = Set(QueryTerms.words(of: passage.text, limit: .max).map(fold))
                share = weights.reduce(0) { $0 + (present.contains($1.key) ? $1.value : 0) } / total
            }
            if let similarity = passage.similarity {
                share = (share + Double(min(1, max(0, similarity)))) / 2
            }
            let percent = min(previous, Int((share * 100).rounded()))
            previous = percent
            return percent
        }
    }

    /// BM25's inverse document frequency of a word found in `count` of `chunks` chunks: always above zero, highest
    /// for a word found nowhere.
    static func rarity(count: Int, chunks: Int) -> Double {
        let n = Double(max(chunks, count)), c = Double(count)
        return log((n - c + 0.5) / (c + 0.5) + 1)
    }

    /// A word with its commonest English endings removed, so that forms of one word meet.
    static func fold(_ word: String) -> String {
        for suffix in ["ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"]
        where word.count > suffix.count + 2 && word.hasSuffix(suffix) {
            return String(word.dropLast(suffix.count))
        }
        return word
    }
}
