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
            let all = try await Retriever(store: store).search("kiln firing temperature", limit: 8)
            #expect(all.count == 8, "no cut-off by default")
            let cut = try await Retriever(store: store, configuration: RetrievalConfiguration(cutoff: 0.9))
                .search("kiln firing temperature", limit: 8)
            let best = try #require(cut.first).relevance
            #expect(!cut.isEmpty && cut.allSatisfy { Double($0.relevance) >= Double(best) * 0.9 })
            #expect(cut.map(\.chunk.id) == all.prefix(cut.count).map(\.chunk.id), "what is kept is the list's head")
        }
    }

    @Test(arguments: [(0, 100), (1, 100), (50, 100), (100, 100)])
    func rarityIsPositiveAndFallsWithCount(count: Int, chunks: Int) {
        let rarity = Relevance.rarity(count: count, chunks: chunks)
        #expect(rarity > 0)
        if count > 0 { #expect(rarity < Relevance.rarity(count: count - 1, chunks: chunks)) }
    }
}
