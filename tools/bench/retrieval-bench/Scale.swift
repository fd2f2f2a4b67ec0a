// Scale: synthetic chunks for BM25 (100,000; 5,000 in the quick run), and as many 384-dimension vectors for the
// exact scan.
import Retrieval
import Store

/// A small deterministic generator, so every run indexes the same synthetic text.
struct Generator {
    var seed: UInt64 = 7
    mutating func next() -> Int {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Int(seed >> 33)
    }
    /// Uniform in 0..<1.
    mutating func unit() -> Double { Double(next()) / Double(1 << 31) }
}

/// Text as words occur in prose: a 30,000-word vocabulary drawn by Zipf's law (the k-th commonest word k times
/// rarer than the first), with the questions' words placed at random ranks among them.
struct ZipfText {
    var generator = Generator()
    var vocabulary = (0..<30_000).map { "w\($0)" }
    var cumulative: [Double] = []

    init(placing words: [String]) {
        for word in Set(words).sorted() { vocabulary[20 + generator.next() % 20_000] = word }
        var total = 0.0
        for rank in 1...vocabulary.count {
            total += 1 / Double(rank)
            cumulative.append(total)
        }
    }

    mutating func words(_ count: Int) -> String {
        (0..<count).map { _ in
            let target = generator.unit() * cumulative.last!
            var low = 0, high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] < target { low = middle + 1 } else { high = middle }
            }
            return vocabulary[low]
        }.joined(separator: " ")
    }
}

func scaleRun(_ questions: [Question], folder: String, quick: Bool) async throws {
    let scale = quick ? 5_000 : 100_000
    print("")
    line("scale: \(scale) chunks", "")
    let scaleStore = try Store(path: folder + "/scale.db")
    var text = ZipfText(placing: questions.flatMap { QueryTerms($0.question).words })
    let started = now()
    for document in 0..<(scale / 100) {
        let chunks = (0..<100).map { i in
            NewChunk(ordinal: i, headingPath: ["Section \(i / 10)"], text: text.words(150))
        }
        try scaleStore.replaceDocument(path: "/synthetic/\(document)", title: "Synthetic \(document)", contentHash: "\(document)",
                                       size: 1, modifiedAt: 1, chunks: chunks)
    }
    line("  synthetic ingestion", "\(fixed(now() - started, 1)) s")
    let scaleRetriever = Retriever(store: scaleStore)
    var scaleLatencies: [Double] = []
    for question in questions {
        let start = now()
        _ = try await scaleRetriever.search(question.question, limit: 8)
        scaleLatencies.append((now() - start) * 1000)
    }
    line("  BM25 query p50 / p99", "\(fixed(percentile(scaleLatencies, 0.5))) / \(fixed(percentile(scaleLatencies, 0.99))) ms")
    let dimension = 384
    var vectors = [Float](repeating: 0, count: scale * dimension)
    for i in vectors.indices { vectors[i] = Float(text.generator.next() % 2001 - 1000) / 1000 }
    let index = VectorIndex(ids: (0..<scale).map(Int64.init), vectors: vectors, dimension: dimension)
    var vectorLatencies: [Double] = []
    for q in 0..<50 {
        let query = Array(vectors[(q * 997 % scale) * dimension..<((q * 997 % scale) + 1) * dimension])
        let start = now()
        _ = index.nearest(to: query, k: 8)
        vectorLatencies.append((now() - start) * 1000)
    }
    let vectorP99 = percentile(vectorLatencies, 0.99)
    line("  vector top-8 over \(scale) × \(dimension) p50 / p99", "\(fixed(percentile(vectorLatencies, 0.5))) / \(fixed(vectorP99)) ms",
         "", quick ? "" : "≤ 10 ms", quick ? "" : vectorP99 <= 10 ? "PASS" : "FAIL")
}
