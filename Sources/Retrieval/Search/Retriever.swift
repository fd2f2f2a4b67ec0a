// Retrieval: BM25 through FTS5 (title and headings weighted above the body), and, when an embeddings endpoint is
// configured, an exact vector scan fused with it by reciprocal rank fusion.
public import Store

/// Turns texts into vectors (an OpenAI-compatible embeddings endpoint, through `LLMClient`).
public protocol Embedder: Sendable {
    /// The model's name, stored beside each vector so that a change of model re-embeds.
    var model: String { get }
    /// One vector per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

/// A passage found for a question.
public struct RetrievedPassage: Sendable, Equatable {
    /// The chunk, with its document's title and path and its heading path.
    public var chunk: ChunkRecord
    /// 1 for the best.
    public var rank: Int
    /// The fused score (BM25 alone: its rank score), higher is better; for ordering only.
    public var score: Double
    /// FTS5's BM25 score (lower is better), when the words matched.
    public var bm25: Double?
    /// Cosine similarity to the question, when embeddings were used.
    public var similarity: Float?
    /// The percentage shown to people (see Relevance.swift): never higher than the one ranked above.
    public var relevance: Int
}

/// How retrieval weighs things.
public struct RetrievalConfiguration: Sendable {
    /// BM25 column weights: title, headings, body.
    public var weights: (title: Double, headings: Double, body: Double)
    /// Candidates each method contributes before fusion.
    public var candidates: Int
    /// Reciprocal rank fusion's k: larger flattens the difference between ranks.
    public var fusionK: Double

    public init(weights: (title: Double, headings: Double, body: Double) = (4, 2, 1), candidates: Int = 50,
                fusionK: Double = 60) {
        self.weights = weights
        self.candidates = candidates
        self.fusionK = fusionK
    }
}

/// Finds the passages that answer a question.
public final class Retriever: Sendable {
    public let store: Store
    public let embedder: (any Embedder)?
    public let configuration: RetrievalConfiguration
    private let vectors: VectorCache

    public init(store: Store, embedder: (any Embedder)? = nil, configuration: RetrievalConfiguration = RetrievalConfiguration()) {
        self.store = store
        self.embedder = embedder
        self.configuration = configuration
        vectors = VectorCache(store: store)
    }

    /// The `limit` best passages for `question`, best first. Vector search joins in when an embedder is set and
    /// chunks have embeddings; if the embeddings endpoint fails, BM25 answers alone.
    public func search(_ question: String, limit: Int = 8) async throws(StoreError) -> [RetrievedPassage] {
        let terms = QueryTerms(question)
        let lexical = try terms.expression.map { expression throws(StoreError) in
            try store.searchChunks(matching: expression, weights: configuration.weights, limit: max(limit, configuration.candidates))
        } ?? []
        var semantic: [(id: Int64, similarity: Float)] = []
        if let embedder, let index = try vectors.index(model: embedder.model), index.count > 0,
           let query = try? await embedder.embed([question]).first {
            semantic = index.nearest(to: query, k: max(limit, configuration.candidates))
        }
        let fused = fuse(lexical: lexical, semantic: semantic).prefix(limit)
        let records = Dictionary(try store.chunks(ids: fused.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let found = fused.compactMap { item in records[item.id].map { (item, $0) } }
        let percentages = Relevance.percentages(question: terms, passages: found.map { item, chunk in
            ("\(chunk.documentTitle) \(chunk.headingPath.joined(separator: " ")) \(chunk.text)", item.similarity)
        })
        return found.enumerated().map { index, pair in
            RetrievedPassage(chunk: pair.1, rank: index + 1, score: pair.0.score, bm25: pair.0.bm25,
                             similarity: pair.0.similarity, relevance: percentages[index])
        }
    }

    /// Forget the cached vectors (after ingestion changed the chunks or their embeddings).
    public func invalidateVectors() { vectors.invalidate() }

    /// BM25 alone keeps its order; with vectors, reciprocal rank fusion: each list gives 1 / (k + rank).
    private func fuse(lexical: [(id: Int64, score: Double)], semantic: [(id: Int64, similarity: Float)])
        -> [(id: Int64, score: Double, bm25: Double?, similarity: Float?)]
    {
        var items: [Int64: (score: Double, bm25: Double?, similarity: Float?, first: Int)] = [:]
        let k = configuration.fusionK
        for (rank, hit) in lexical.enumerated() {
            items[hit.id] = (1 / (k + Double(rank + 1)), hit.score, nil, rank)
        }
        for (rank, hit) in semantic.enumerated() {
            var item = items[hit.id] ?? (0, nil, nil, lexical.count + rank)
            item.score += 1 / (k + Double(rank + 1))
            item.similarity = hit.similarity
            items[hit.id] = item
        }
        return items.map { (id: $0.key, score: $0.value.score, bm25: $0.value.bm25, similarity: $0.value.similarity, first: $0.value.first) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.first < $1.first }
            .map { ($0.id, $0.score, $0.bm25, $0.similarity) }
    }
}
