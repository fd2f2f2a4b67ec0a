// Retrieval: BM25 through FTS5 (title and headings weighted above the body; LexicalSearch.swift), and, when an
// embeddings endpoint is configured, an exact vector scan over the chunks' embeddings, fused with it
// (Fusion.swift). docs/retrieval.md explains the choices and their measurements.
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
    /// The score the search found it by, higher is better: BM25 alone, or the fused score. The list itself is in
    /// the order of `relevance`.
    public var score: Double
    /// BM25 (FTS5's bm25() negated: higher is better), when its words matched.
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
    /// How BM25 and vector similarity are combined when both are available.
    public var fusion: Fusion
    /// How many chunks the question's rare words may match before the next word counts as common (see
    /// LexicalSearch.swift).
    public var lexicalBudget: Int
    /// How the percentage beside each passage is computed.
    public var relevance: RelevanceMeasure
    /// Passages whose percentage is below this share of the best one's are left out: neither sent to the model
    /// nor shown. 0 keeps every passage found.
    public var cutoff: Double
    /// How much the words of a conversation's earlier questions count, beside the question's own (1), when a
    /// question is searched with its conversation (`search(_:context:limit:)`). 0 ignores the conversation.
    public var contextWeight: Double

    public init(weights: (title: Double, headings: Double, body: Double) = (4, 2, 1), candidates: Int = 50,
                fusion: Fusion = .default, lexicalBudget: Int = 1_000, relevance: RelevanceMeasure = .coverageAndAgreement,
                cutoff: Double = 0.6, contextWeight: Double = 0.5) {
        self.weights = weights
        self.candidates = candidates
        self.fusion = fusion
        self.lexicalBudget = lexicalBudget
        self.relevance = relevance
        self.cutoff = min(1, max(0, cutoff))
        self.contextWeight = min(1, max(0, contextWeight))
    }
}

/// Finds the passages that answer a question.
public final class Retriever: Sendable {
    public let store: any KnowledgeStorage
    public let embedder: (any Embedder)?
    public let configuration: RetrievalConfiguration
    private let lexical: LexicalSearch
    private let vectors: VectorCache

    public init(store: any KnowledgeStorage, embedder: (any Embedder)? = nil, configuration: RetrievalConfiguration = RetrievalConfiguration()) {
        self.store = store
        self.embedder = embedder
        self.configuration = configuration
        lexical = LexicalSearch(store: store, weights: configuration.weights, budget: configuration.lexicalBudget)
        vectors = VectorCache(store: store)
    }

    /// The `limit` best passages for `question`, best first. Vector search joins in when an embedder is set and
    /// chunks have embeddings from its model; if the embeddings endpoint fails, BM25 answers alone.
    ///
    /// `context` holds the conversation's earlier questions, latest last: a follow-up ("and how do I cancel
    /// it?") means little alone. Their informative words that the question does not have are searched too, and
    /// each chunk's score is its score for the question's words plus `contextWeight` times its score for those,
    /// each relative to the best of its list (see `blend`). The percentages shown still measure the question's own
    /// words.
    public func search(_ question: String, context: [String] = [], limit: Int = 8) async throws(StoreError)
        -> [RetrievedPassage]
    {
        var terms = QueryTerms(question)
        let own = Set(QueryTerms.informative(question))
        let earlier = configuration.contextWeight > 0
            ? QueryTerms(words: context.flatMap(QueryTerms.informative).filter { !own.contains($0) }) : QueryTerms(words: [])
        // A follow-up of common words only ("what about that?") is searched by the conversation's words alone.
        if own.isEmpty, !earlier.words.isEmpty { terms = QueryTerms(words: []) }
        // Fusion wants more candidates from each side than it keeps; BM25 alone needs only the list itself.
        let depth = embedder == nil && earlier.words.isEmpty ? limit : max(limit, configuration.candidates)
        var words = try lexical.search(terms, limit: depth).map { (id: $0.id, score: -$0.score) }
        if !earlier.words.isEmpty {
            let conversation = try lexical.search(earlier, limit: depth).map { (id: $0.id, score: -$0.score) }
            words = Self.blend(words, conversation, weight: configuration.contextWeight)
        }
        var ranked = words.map { Fused(id: $0.id, score: $0.score, bm25: $0.score, similarity: nil) }
        // The meaning of a follow-up is the question with the one before it.
        let meaning = ([context.last].compactMap { $0 } + [question]).joined(separator: "\n")
        if let embedder, let index = try? vectors.index(model: embedder.model), index.count > 0,
           let query = try? await embedder.embed([earlier.words.isEmpty ? question : meaning]).first {
            ranked = configuration.fusion.fuse(lexical: words, nearest: index.nearest(to: query, k: depth),
                                               similarity: { index.similarities(of: $0, to: query) })
        }
        let top = Array(ranked.prefix(limit))
        let records = Dictionary(try store.chunks(ids: top.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let found = top.compactMap { item in records[item.id].map { (item, $0) } }
        // What the percentages measure: the question's words, or the conversation's when it has none of its own.
        let measured = terms.words.isEmpty ? earlier : terms
        let measure = configuration.relevance
        let rarity = measure == .weightedCoverage ? try lexical.rarity(of: measured.words) : [:]
        let shares = Relevance.shares(question: measured, rarity: rarity, passages: found.map { item, chunk in
            RelevanceInput(text: "\(chunk.documentTitle) \(chunk.headingPath.joined(separator: " ")) \(chunk.text)",
                           document: chunk.documentID, similarity: item.similarity)
        }, agreement: measure == .coverageAndAgreement)
        // Percentages never rise down the list (it is ordered by them, or each is capped at the one above), so what
        // the cut-off keeps is a prefix of it.
        var order = Array(found.indices)
        let percentages: [Int]
        if measure == .coverageAndAgreement {
            order.sort { shares[$0] != shares[$1] ? shares[$0] > shares[$1] : $0 < $1 }
            percentages = order.map { Relevance.percent(shares[$0]) }
        } else {
            percentages = Relevance.capped(shares)
        }
        let floor = Double(percentages.first ?? 0) * configuration.cutoff
        return order.enumerated().prefix { Double(percentages[$0.offset]) >= floor }.map { position, index in
            let (item, chunk) = found[index]
            return RetrievedPassage(chunk: chunk, rank: position + 1, score: item.score, bm25: item.bm25,
                                    similarity: item.similarity, relevance: percentages[position])
        }
    }

    /// The question's BM25 list and the conversation's, as one: each chunk scores its share of the best score of
    /// the question's list plus `weight` times its share of the best of the conversation's (0 where it is
    /// missing from a list), scaled back to the question's BM25 so the scores stay comparable. Best first.
    static func blend(_ own: [(id: Int64, score: Double)], _ conversation: [(id: Int64, score: Double)], weight: Double)
        -> [(id: Int64, score: Double)]
    {
        let bestOwn = own.map(\.score).max() ?? 0, bestConversation = conversation.map(\.score).max() ?? 0
        let scale = bestOwn > 0 ? bestOwn : bestConversation
        var scores: [Int64: Double] = [:], order: [Int64] = []
        for (id, score) in own where bestOwn > 0 {
            if scores[id] == nil { order.append(id) }
            scores[id, default: 0] += score / bestOwn
        }
        for (id, score) in conversation where bestConversation > 0 {
            if scores[id] == nil { order.append(id) }
            scores[id, default: 0] += weight * score / bestConversation
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        return order.map { (id: $0, score: scores[$0]! * scale) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : position[$0.id]! < position[$1.id]! }
    }
}
