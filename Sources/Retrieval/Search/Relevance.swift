// The relevance percentage a source shows, defined so that it means something and never contradicts the order:
//
// - Coverage and agreement (the default): the mean of two shares. Coverage is the share of the question's
//   informative words (QueryTerms) that the passage contains, counting its title and headings, with light suffix
//   folding ("errors" finds "error", "decoding" finds "decode"). Agreement is how many of the passages found come
//   from the passage's document: the square root of their share, so that one passage of 8 counts 35 %, two 50 %,
//   all 100 %. The share is of at least 8 (what an answer gets), so that a search finding a single passage does not
//   make it agree with itself. A document that many of the passages found come from is, far more often than not, the one that
//   answers (measured: docs/retrieval.md). The passages found are put in the order of this figure.
// - Coverage alone, and weighted coverage (each word counting by its rarity in the knowledge base, BM25's inverse
//   document frequency): measured, offered to the benchmark only; they barely tell right passages from wrong ones.
// - With embeddings, the passage's cosine similarity to the question (clamped to 0…1) is averaged into its
//   coverage first.
// - Down the list a percentage never rises: with coverage and agreement the list is ordered by it; with the others
//   each is capped at the one above it.
//
// BM25 and fused scores are not percentages of anything (their scale changes with the corpus and the question),
// which is why the percentage is not derived from them.
#if canImport(Glibc)
internal import Glibc
#endif

/// How the percentage beside a source is computed (see Relevance.swift).
public enum RelevanceMeasure: Sendable, Equatable {
    /// The mean of coverage and agreement (how many of the passages found share the passage's document); the
    /// passages are ordered by it. The default.
    case coverageAndAgreement
    /// The share of the question's informative words the passage contains, each counting the same.
    case coverage
    /// The same share with each word weighted by its rarity in the knowledge base (BM25's idf).
    case weightedCoverage
}

/// A passage as the percentage sees it.
struct RelevanceInput {
    /// Its document's title, its headings and its text.
    var text: String
    var document: Int64
    var similarity: Float?
}

enum Relevance {
    /// The fewest passages agreement is counted out of (see above).
    static let agreementBase = 8

    /// Each passage's figure, 0…1, in the order given; `rarity` gives each of the question's words its weight
    /// (words it does not name weigh 1). Agreement joins in when `agreement` is set.
    static func shares(question terms: QueryTerms, rarity: [String: Double] = [:], passages: [RelevanceInput],
                       agreement: Bool) -> [Double] {
        var weights: [String: Double] = [:]
        for word in terms.words { weights[fold(word), default: 0] += rarity[word] ?? 1 }
        let total = weights.values.reduce(0, +)
        var fromDocument: [Int64: Int] = [:]
        for passage in passages { fromDocument[passage.document, default: 0] += 1 }
        let counted = Double(max(passages.count, agreementBase))
        return passages.map { passage in
            var share = 1.0
            if total > 0 {
                let present = Set(QueryTerms.words(of: passage.text, limit: .max).map(fold))
                share = weights.reduce(0) { $0 + (present.contains($1.key) ? $1.value : 0) } / total
            }
            if let similarity = passage.similarity {
                share = (share + Double(min(1, max(0, similarity)))) / 2
            }
            if agreement {
                share = (share + (Double(fromDocument[passage.document] ?? 1) / counted).squareRoot()) / 2
            }
            return share
        }
    }

    /// A share as the percentage shown.
    static func percent(_ share: Double) -> Int { Int((min(1, max(0, share)) * 100).rounded()) }

    /// Percentages for results already in rank order, each capped at the one above it (the measures that do not
    /// reorder the list).
    static func capped(_ shares: [Double]) -> [Int] {
        var previous = 100
        return shares.map { share in
            previous = min(previous, percent(share))
            return previous
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
