// The storage Retrieval needs: documents, their chunks, the lexical index, embeddings, and ingestion's batches of
// changes. `Store` (SQLite, FTS5) implements it; a PostgreSQL implementation (docs/many-hosts.md, item 3) must match
// the behaviour each requirement's comment states.

/// The knowledge base as Retrieval reads and writes it: what `Ingester`, `Retriever` and `FolderSync` use.
public protocol KnowledgeStorage: Sendable {
    /// Takes the turn to look at the documents folder and embed its chunks, unless another host sharing this
    /// knowledge base has it; whether it was taken. Give it back with `endIngestionTurn()` when done. So several
    /// hosts over one documents folder read each file once, and pay for its embeddings once. A host that dies
    /// gives it back with its connection.
    func beginIngestionTurn() throws(StoreError) -> Bool

    /// Gives back the turn `beginIngestionTurn()` took.
    func endIngestionTurn()

    /// Every document, by path, with its size, time and content hash (what ingestion compares files against).
    func documents() throws(StoreError) -> [String: DocumentRecord]

    /// Applies `changes` in order, in one transaction: a crash leaves all of them or none, so every document in it
    /// is whole either way. Ingestion batches documents into one call; an empty batch does nothing.
    func apply(_ changes: [DocumentChange]) throws(StoreError)

    /// Removes a document, its chunks and their index entries, in one transaction.
    func removeDocument(path: String) throws(StoreError)

    /// Counts: documents read (not those that failed), chunks, chunks with an embedding from `model` (0 when nil).
    func knowledgeBaseCounts(embeddingModel model: String?) throws(StoreError) -> (documents: Int, chunks: Int, embedded: Int)

    /// A number that changes whenever documents, chunks or embeddings change, and not when conversations do: what
    /// caches of the knowledge base compare against.
    func knowledgeGeneration() throws(StoreError) -> Int64

    /// The chunks matching `query`, best first, at most `limit`, with their BM25 scores (lower is better, as FTS5's
    /// bm25() gives them: the negated sum over the query's words). `weights` weigh a word's occurrences in the
    /// title, headings and body. The query's words are data: quotes, backslashes or operators in them are never
    /// read as syntax. A query without rare words finds nothing.
    func searchChunks(matching query: ChunkQuery, weights: (title: Double, headings: Double, body: Double),
                      limit: Int) throws(StoreError) -> [(id: Int64, score: Double)]

    /// How many chunks contain each word, keyed by the word as given: the index stems (and folds) it as it does the
    /// chunks' text, so "files" counts the chunks with "file" too (the document frequencies BM25's idf uses).
    func documentFrequencies(of words: [String]) throws(StoreError) -> [String: Int]

    /// The chunks with these ids, in the order given; ids no longer stored are left out.
    func chunks(ids: [Int64]) throws(StoreError) -> [ChunkRecord]

    /// Chunks with no embedding from `model` yet, oldest first, at most `limit`.
    func chunksNeedingEmbeddings(model: String, limit: Int) throws(StoreError) -> [(id: Int64, text: String)]

    /// Stores embeddings made by `model`, in one transaction.
    func setEmbeddings(_ embeddings: [(id: Int64, vector: [Float])], model: String) throws(StoreError)

    /// Every embedding from `model`, by chunk id: ids and their vectors in one contiguous array (row i is
    /// `vectors[i * dimension ..< (i + 1) * dimension]`).
    func embeddings(model: String) throws(StoreError) -> (ids: [Int64], vectors: [Float], dimension: Int)
}

extension KnowledgeStorage {
    /// Counts: documents read, chunks, and 0 embedded.
    public func knowledgeBaseCounts() throws(StoreError) -> (documents: Int, chunks: Int, embedded: Int) {
        try knowledgeBaseCounts(embeddingModel: nil)
    }
}

extension Store: KnowledgeStorage {}
