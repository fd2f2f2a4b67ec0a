// The vectors of the chunks, loaded from the store when first needed and again only after the knowledge base
// changes (its generation moves: a document ingested or removed, embeddings added).
internal import Locking
internal import Store

final class VectorCache: Sendable {
    private let store: any KnowledgeStorage
    private let cached = Locked<(model: String, generation: Int64, index: VectorIndex)?>(nil)

    init(store: any KnowledgeStorage) { self.store = store }

    /// The index of `model`'s vectors as the store holds them now.
    func index(model: String) throws(StoreError) -> VectorIndex {
        let generation = try store.knowledgeGeneration()
        if let current = cached.current, current.model == model, current.generation == generation { return current.index }
        let loaded = try store.embeddings(model: model)
        let index = VectorIndex(ids: loaded.ids, vectors: loaded.vectors, dimension: loaded.dimension)
        cached.withLock { $0 = (model, generation, index) }
        return index
    }
}
