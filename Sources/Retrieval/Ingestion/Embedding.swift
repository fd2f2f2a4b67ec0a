// Embeddings for chunks, in batches and resumable: whatever has no vector from the current model gets one; an
// interrupted run picks up where it stopped.
public import LLM
public import Store

/// An OpenAI-compatible embeddings endpoint as an `Embedder`.
public struct EndpointEmbedder: Embedder {
    public let client: LLMClient
    public var model: String { client.configuration.embeddingsModel }

    public init(client: LLMClient) { self.client = client }

    public func embed(_ texts: [String]) async throws -> [[Float]] { try await client.embeddings(texts) }
}

extension KnowledgeStorage {
    /// Gives every chunk without an embedding from `embedder.model` one, `batch` texts per request. Returns how
    /// many were embedded. Stops at the first failure (what was stored stays; the next run resumes).
    public func embedPendingChunks(with embedder: any Embedder, batch: Int = 32,
                                   progress: (Int) -> Void = { _ in }) async throws -> Int {
        var done = 0
        while true {
            let pending = try chunksNeedingEmbeddings(model: embedder.model, limit: batch)
            guard !pending.isEmpty else { return done }
            // Long chunks are cut for the request; the stored text is untouched.
            let vectors = try await embedder.embed(pending.map { String($0.text.prefix(4000)) })
            guard vectors.count == pending.count else { throw LLMError.badResponse(message: "the embeddings count does not match") }
            try setEmbeddings(zip(pending, vectors).map { ($0.id, $1) }, model: embedder.model)
            done += pending.count
            progress(done)
        }
    }
}

