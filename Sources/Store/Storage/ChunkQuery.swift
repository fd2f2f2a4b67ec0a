// What a lexical search asks the knowledge base for, in no index's syntax. Retrieval cuts a question into words and
// splits them into rare and common ones (Sources/Retrieval/Search/LexicalSearch.swift); each storage turns this into
// its own query: `Store` into an FTS5 expression, `PostgresStore` into lookups of its word table. A word is data,
// never syntax, whatever characters it holds.

/// Chunks holding any of the `rare` words and, when `common` is not empty, also any of the `common` words, ranked
/// by BM25 over all the words of both lists.
///
///     ChunkQuery(anyOf: ["pathlib"])                               // "pathlib"
///     ChunkQuery(anyOf: ["pathlib", "glob"], andAnyOf: ["file"])   // ("pathlib" OR "glob") AND ("file")
public struct ChunkQuery: Sendable, Equatable {
    /// Words of which a chunk must hold at least one (lower-cased, as Retrieval cuts them); none matches nothing.
    public var rare: [String]
    /// Words of which a chunk must also hold at least one, unless there are none.
    public var common: [String]

    /// Chunks with any of `rare`, and, if `common` is not empty, any of `common` too.
    public init(anyOf rare: [String], andAnyOf common: [String] = []) {
        self.rare = rare
        self.common = common
    }

    /// Every word the chunks are scored by: the rare ones, then the common ones.
    public var words: [String] { rare + common }
}
