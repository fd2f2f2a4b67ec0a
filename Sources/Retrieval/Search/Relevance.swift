// The relevance percentage a source shows, defined so that it means something and never contradicts the order:
//
// - Coverage: the share of the question's informative words (QueryTerms) that the passage contains, counting its
//   title and headings, with light suffix folding ("errors" finds "error", "decoding" finds "decode"). A passage
//   that has every word the question is about covers 100 %.
// - With embeddings, the mean of coverage and the passage's cosine similarity to the question (clamped to 0…1).
// - Down the ranked list a percentage never rises: each is capped at the one above it, so the list reads in order.
//
// BM25 and fused scores are not percentages of anything (their scale changes with the corpus and the question),
// which is why the percentage is not derived from them.

enum Relevance {
    /// Percentages for results already in rank order.
    static func percentages(question terms: QueryTerms, passages: [(text: String, similarity: Float?)]) -> [Int] {
        let wanted = Set(terms.words.map(fold))
        var previous = 100
        return passages.map { passage in
            var share = 1.0
            if !wanted.isEmpty {
                let present = Set(QueryTerms.words(of: passage.text, limit: .max).map(fold))
                share = Double(wanted.intersection(present).count) / Double(wanted.count)
            }
            if let similarity = passage.similarity {
                share = (share + Double(min(1, max(0, similarity)))) / 2
            }
            let percent = min(previous, Int((share * 100).rounded()))
            previous = percent
            return percent
        }
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
