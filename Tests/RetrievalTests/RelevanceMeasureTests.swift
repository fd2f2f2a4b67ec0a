// The percentage beside a source, by each measure, and the cut-off relative to the best passage.
@testable import Retrieval
import Store
import TestSupport
import Testing

@Suite struct RelevanceMeasureTests {
    /// "kiln" is in one chunk of many; "firing" and "temperature" are in every one.
    func makeStore(_ folder: String) throws -> Store {
        let store = try Store(path: folder + "/q.db")
        func doc(_ path: String, _ text: String) throws {
            try store.replaceDocument(path: path, title: path, contentHash: path, size: 1, modifiedAt: 1,
                                      chunks: [NewChunk(ordinal: 0, headingPath: [], text: text)])
        }
        try doc("/kiln.md", "The kiln is loaded by hand.")
        for i in 0..<20 { try doc("/notes\(i).md", "Firing temperature notes, batch \(i).") }
        return store
    }

    @Test func weightedCoverageCountsTheRareWordMost() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let store = try makeStore(folder)
            let question = "kiln firing temperature"
            let plain = try await Retriever(store: store, configuration: RetrievalConfiguration(relevance: .coverage))
                .search(question, limit: 8)
            let weighted = try await Retriever(store: store, configuration: RetrievalConfiguration(relevance: .weightedCoverage))
                .search(question, limit: 8)
            let kiln = { (list: [RetrievedPassage]) in list.first { $0.chunk.documentPath == "/kiln.md" }?.relevance }
            // Plainly, "kiln" is one word of three, as "firing temperature" is two; weighted by rarity, the one
            // passage with the rare word covers most of what the question is about.
            #expect(kiln(plain) == 33)
            #expect(try #require(kiln(weighted)) > 50)
            #expect(weighted.allSatisfy { (0...100).contains($0.relevance) })
            #expect(zip(weighted, weighted.dropFirst()).allSatisfy { $0.relevance >= $1.relevance })
        }
    }

    @Test func theCutOffKeepsThePassagesNearTheBest() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let store = try makeStore(folder)
            let question = "kiln firing temperature"
            let all = try await Retriever(store: store, configuration: RetrievalConfiguration(cutoff: 0)).search(question, limit: 8)
            #expect(all.count == 8, "a cut-off of 0 keeps every passage")
            for share in [RetrievalConfiguration().cutoff, 0.9] {
                let cut = try await Retriever(store: store, configuration: RetrievalConfiguration(cutoff: share))
                    .search(question, limit: 8)
                let best = try #require(cut.first).relevance
                #expect(!cut.isEmpty && cut.allSatisfy { Double($0.relevance) >= Double(best) * share })
                #expect(cut.map(\.chunk.id) == all.prefix(cut.count).map(\.chunk.id), "what is kept is the list's head")
                #expect(all.dropFirst(cut.count).allSatisfy { Double($0.relevance) < Double(best) * share })
            }
        }
    }

    /// Two passages of one guide and six lone notes, all holding both words of the question: the guide's passages
    /// agree, so they come first and show more, whatever BM25 thought.
    @Test func passagesWhoseDocumentOthersComeFromRankFirst() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let store = try Store(path: folder + "/q.db")
            for i in 0..<6 {
                try store.replaceDocument(path: "/note\(i).md", title: "Note \(i)", contentHash: "\(i)", size: 1, modifiedAt: 1,
                                          chunks: [NewChunk(ordinal: 0, headingPath: [], text: "Glaze glaze glaze recipe \(i).")])
            }
            let guide = (0..<2).map { NewChunk(ordinal: $0, headingPath: ["Part \($0)"],
                                               text: "The glaze recipe, part \($0), with many other words around it that dilute it.") }
            try store.replaceDocument(path: "/guide.md", title: "Guide", contentHash: "g", size: 1, modifiedAt: 1, chunks: guide)
            let question = "glaze recipe"
            let plain = try await Retriever(store: store, configuration: RetrievalConfiguration(relevance: .coverage, cutoff: 0))
                .search(question, limit: 8)
            #expect(plain.first?.chunk.documentPath != "/guide.md", "BM25 puts a dense note first")
            let found = try await Retriever(store: store, configuration: RetrievalConfiguration(cutoff: 0)).search(question, limit: 8)
            #expect(found.count == 8)
            #expect(found.prefix(2).allSatisfy { $0.chunk.documentPath == "/guide.md" })
            #expect(found.map(\.rank) == Array(1...8))
            // Coverage 1 for all; agreement √(2/8) = 0.5 for the guide's, √(1/8) ≈ 0.35 for a note's.
            #expect(found.map(\.relevance) == [75, 75, 68, 68, 68, 68, 68, 68])
            #expect(Set(found.map(\.chunk.id)) == Set(plain.map(\.chunk.id)), "the same passages, reordered")
        }
    }

    @Test func agreementIsTheRootOfTheDocumentsShare() {
        let terms = QueryTerms(words: ["kiln"])
        let passages = [1, 1, 1, 2].map { RelevanceInput(text: "kiln", document: $0, similarity: nil) }
        let shares = Relevance.shares(question: terms, passages: passages, agreement: true)
        // Out of at least 8: √(3/8) and √(1/8).
        #expect(shares.map(Relevance.percent) == [81, 81, 81, 68])
        let sixteen = (0..<16).map { RelevanceInput(text: "kiln", document: $0 < 4 ? 1 : Int64($0), similarity: nil) }
        #expect(Relevance.shares(question: terms, passages: sixteen, agreement: true).map(Relevance.percent).prefix(5)
            == [75, 75, 75, 75, 63])
        #expect(Relevance.shares(question: terms, passages: passages, agreement: false) == [1, 1, 1, 1])
        let meaning = [RelevanceInput(text: "nothing", document: 1, similarity: 0.5)]
        #expect(Relevance.shares(question: terms, passages: meaning, agreement: true) == [(0.25 + (1.0 / 8).squareRoot()) / 2])
    }

    @Test(arguments: [(0, 100), (1, 100), (50, 100), (100, 100)])
    func rarityIsPositiveAndFallsWithCount(count: Int, chunks: Int) {
        let rarity = Relevance.rarity(count: count, chunks: chunks)
        #expect(rarity > 0)
        if count > 0 { #expect(rarity < Relevance.rarity(count: count - 1, chunks: chunks)) }
    }
}
