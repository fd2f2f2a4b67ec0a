// The vectors of the chunks, loaded from the store once and kept until ingestion changes them.
internal import Locking
internal import Store

final class VectorCache: Sendable {
    private let store: Store
    private let cached = Locked<(model: String, index: VectorIndex)?>(nil)

    init(store: Store) { self.store = store }

    func index(model: String) throws(StoreError) -> VectorIndex? {
        if let current = cached.current, current.model == model { return current.index }
        let loaded = try store.embeddings(model: model)
        let index = VectorIndex(ids: loaded.ids, vectors: loaded.vectors, dimension: loaded.dimension)
        cached.withLock { $0 = (model, index) }
        return index
    }

    func invalidate() { cached.withLock { $0 = nil } }
}
