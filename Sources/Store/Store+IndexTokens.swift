// Tokenizing chunks for the full-text index ahead of storing them, on another thread: the Store's writer replays
// the tokens instead of tokenizing during the insert (SQLite's `Connection.replaying`), which takes FTS5's porter
// stemming and Unicode folding, about a quarter of its indexing work, off the storing thread. The index is the
// same byte for byte: the writer checks each column's text and tokenizes anything that differs itself.
public import SQLite

/// Computes chunks' full-text tokens with an instance of the index's own tokenizer (`porter unicode61
/// remove_diacritics 2`), for `NewChunk.tokens`.
///
/// Made by `Store.chunkTokenizer()` and used by one thread at a time (it holds its own tokenizer instance and
/// buffer, no connection).
public struct ChunkTokenizer: Sendable {
    let tokenizer: FTS5Tokenizer

    /// The tokens of `chunk`'s indexed columns in a document titled `title`; nil if the tokenizer failed (the
    /// writer then tokenizes the chunk itself).
    public func tokens(title: String, chunk: NewChunk) -> FTS5Tokens? {
        // chunks_fts' columns in order: title, headings, body.
        tokenizer.tokens([title, Store.headings(chunk), chunk.text])
    }
}

extension Store {
    /// The tokenizer `chunks_fts` is declared with (Migrations.swift: `tokenize = 'porter unicode61
    /// remove_diacritics 2'`): its name, and the arguments that follow it.
    static let indexTokenizer = (name: "porter", arguments: ["unicode61", "remove_diacritics", "2"])

    /// A tokenizer for chunks about to be stored, to run on the thread that reads them; nil if this SQLite cannot
    /// replay tokens (chunks are then tokenized while they are stored, as before).
    public func chunkTokenizer() -> ChunkTokenizer? {
        try? withConnection { db throws(SQLiteError) in
            guard db.replaysTokens else { return nil }
            return ChunkTokenizer(tokenizer: try db.tokenizer(Self.indexTokenizer.name,
                                                             arguments: Self.indexTokenizer.arguments))
        }
    }

    /// The writer's columns replayed so far, and armed columns whose text differed and were tokenized again.
    var indexTokenReplayCounts: (replayed: Int, fellBack: Int) {
        (try? withConnection { db throws(SQLiteError) in db.tokenReplayCounts }) ?? (0, 0)
    }

    /// A chunk's heading path as stored and indexed.
    static func headings(_ chunk: NewChunk) -> String {
        chunk.headingPath.joined(separator: headingSeparator)
    }
}
