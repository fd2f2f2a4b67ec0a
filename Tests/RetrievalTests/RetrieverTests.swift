@testable import Retrieval
import Store
import TestSupport
import Testing

@Suite struct QueryTermsTests {
    @Test(arguments: [
        ("How do I decode JSON?", ["decode", "json"]),
        ("\"exact phrase\" AND NEAR(xy zz) OR title:* -v (oops", ["exact", "phrase", "near", "xy", "zz", "title", "oops"]),
        ("what is it?", ["what", "is", "it"]),
        ("os.path.join vs pathlib", ["os", "path", "join", "vs", "pathlib"]),
        ("", []),
        ("***", []),
    ])
    func wordsNeverSyntax(question: String, words: [String]) {
        let terms = QueryTerms(question)
        #expect(terms.words == words, "single letters and common words are dropped, unless nothing else is left")
        #expect(terms.query == (words.isEmpty ? nil : ChunkQuery(anyOf: words)))
    }
}

@Suite struct WordsTests {
    @Test(arguments: [
        ("Straße ÜNÏCODE café", ["straße", "ünïcode", "café"]),
        ("déjà-vu 3.14 x² naïve", ["déjà", "vu", "3", "14", "x²", "naïve"]),
        ("e\u{301}te\u{301}", ["e\u{301}te\u{301}"]),  // combining accents stay in the word
        ("日本語のテキスト", ["日本語のテキスト"]),
        ("", []),
        ("--- ... !!!", []),
        ("Quotes, `AND`, `NEAR`, `*`", ["quotes", "and", "near"]),
    ])
    func lettersDigitsAndMarksLowerCased(text: String, words: [String]) {
        #expect(QueryTerms.words(of: text) == words)
    }

    @Test func questionsStopAt64WordsPassagesDoNot() {
        let long = (0..<100).map { "w\($0)" }.joined(separator: " ")
        #expect(QueryTerms.words(of: long).count == 64)
        #expect(QueryTerms.words(of: long, limit: .max).count == 100)
        #expect(QueryTerms.words(of: String(repeating: "a", count: 100)) == [String(repeating: "a", count: 64)])
    }
}

@Suite struct RetrieverTests {
    func makeStore(_ folder: String) throws -> Store {
        let store = try Store(path: folder + "/q.db")
        func doc(_ path: String, _ title: String, _ chunks: [(heading: [String], text: String)]) throws {
            try store.replaceDocument(path: path, title: title, contentHash: path, size: 1, modifiedAt: 1,
                                      chunks: chunks.enumerated().map { NewChunk(ordinal: $0.offset, headingPath: $0.element.heading, text: $0.element.text) })
        }
        try doc("/granite.md", "Granite", [([], "Granite is an igneous rock quarried in large blocks.")])
        try doc("/saws.md", "Cutting stone", [(["Wire saws"], "Diamond wire saws cut granite and marble blocks.")])
        try doc("/safety.md", "Safety", [([], "Ear protection is required near saws and drills.")])
        for i in 0..<30 { try doc("/filler\(i).md", "Filler \(i)", [([], "Unrelated text about gardens, roses and tulips number \(i).")]) }
        return store
    }

    @Test func titlesOutrankBodiesAndPercentagesFollowTheOrder() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let retriever = Retriever(store: try makeStore(folder))
            let results = try await retriever.search("granite", limit: 8)
            #expect(results.first?.chunk.documentTitle == "Granite", "a title match ranks first")
            #expect(results.map(\.rank) == Array(1...results.count))
            #expect(zip(results, results.dropFirst()).allSatisfy { $0.relevance >= $1.relevance })
            #expect(results.allSatisfy { (0...100).contains($0.relevance) })
            // Every word of the question, and one passage of its document among those found, counted out of 8:
            // (1 + √⅛) / 2.
            #expect(results.first?.relevance == 68)
        }
    }

    @Test(arguments: ["\"granite", "granite AND marble", "NEAR(granite saws)", "granite*", "title:granite", "-granite",
                      "(granite", "granite OR", "granite -- marble", "saws: which?", "\"\"\" granite"])
    func questionsAreNeverSyntax(question: String) async throws {
        try await withTemporaryDirectoryAsync { folder in
            let results = try await Retriever(store: try makeStore(folder)).search(question, limit: 8)
            #expect(!results.isEmpty, "\(question)")
        }
    }

    @Test func nothingMatchingIsEmpty() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let retriever = Retriever(store: try makeStore(folder))
            let none = try await retriever.search("zebra xylophone")
            let nothing = try await retriever.search("??? \"\"\" ***")
            #expect(none.isEmpty && nothing.isEmpty)
        }
    }

    /// Texts that share words get similar vectors: enough to test fusion without a model.
    struct WordEmbedder: Embedder {
        let model = "words"
        func embed(_ texts: [String]) async throws -> [[Float]] {
            texts.map { text in
                var vector = [Float](repeating: 0, count: 32)
                for word in QueryTerms.words(of: text) { vector[Int(word.unicodeScalars.reduce(0) { ($0 &* 31 &+ $1.value) } % 32)] += 1 }
                return vector
            }
        }
    }

    @Test func vectorsJoinTheRankingWhenPresent() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let store = try makeStore(folder)
            let embedder = WordEmbedder()
            let embedded = try await store.embedPendingChunks(with: embedder, batch: 7)
            #expect(embedded == 33)
            let results = try await Retriever(store: store, embedder: embedder, configuration: RetrievalConfiguration(cutoff: 0))
                .search("granite blocks", limit: 5)
            #expect(results.count == 5)
            #expect(results.contains { $0.similarity != nil && $0.bm25 != nil }, "fused: both methods found it")
            #expect(Set(results.prefix(2).map(\.chunk.documentTitle)) == ["Granite", "Cutting stone"])
            #expect(zip(results, results.dropFirst()).allSatisfy { $0.relevance >= $1.relevance })
            // The passages only the vectors found, holding none of the question's words, are far below the best.
            let kept = try await Retriever(store: store, embedder: embedder).search("granite blocks", limit: 5)
            #expect(kept.map(\.chunk.documentTitle).sorted() == ["Cutting stone", "Granite"])
        }
    }
}

@Suite struct VectorIndexTests {
    @Test func nearestIsExactAndOrdered() {
        let dimension = 37  // not a multiple of the SIMD width
        var vectors: [Float] = []
        var state: UInt64 = 42
        for _ in 0..<500 * dimension {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            vectors.append(Float(Int(state >> 40) % 2001 - 1000) / 1000)
        }
        let index = VectorIndex(ids: (0..<500).map(Int64.init), vectors: vectors, dimension: dimension)
        let query = Array(vectors[123 * dimension..<124 * dimension])
        let found = index.nearest(to: query, k: 8)
        #expect(found.first?.id == 123 && abs(found.first!.similarity - 1) < 1e-5)
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        // Against a plain computation.
        func cosine(_ a: ArraySlice<Float>, _ b: [Float]) -> Float {
            let dot = zip(a, b).map(*).reduce(0, +)
            return dot / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        let expected = (0..<500).map { (Int64($0), cosine(vectors[$0 * dimension..<($0 + 1) * dimension], query)) }
            .sorted { $0.1 > $1.1 }.prefix(8)
        #expect(zip(found, expected).allSatisfy { abs($0.similarity - $1.1) < 1e-4 })
    }
}
