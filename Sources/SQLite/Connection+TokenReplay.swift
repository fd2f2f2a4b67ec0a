// FTS5 tokenizing moved off the connection's thread: a tokenizer instance on another thread computes a row's
// tokens (`FTS5Tokenizer`), and the connection replays them during the insert instead of tokenizing again.
//
// `replayTokens(of:)` registers, under the tokenizer's own name, a tokenizer that wraps FTS5's real one. It
// replays only while `replaying(_:for:_:)` has armed it, only for document text (FTS5_TOKENIZE_DOCUMENT) and only
// when the text FTS5 hands it is byte for byte the text the tokens were computed from; everything else (queries,
// the 'delete' command's tokenizing of old values, text that differs, anything unarmed) goes to the real tokenizer.
// The index is the same either way, and the schema names the same tokenizer, so any SQLite reads it.
//
// Threading: the replay state belongs to the connection and is touched only inside its statements, on its owner's
// thread. An `FTS5Tokenizer` holds no reference to the connection once made.
#if canImport(Glibc)
internal import Glibc
#endif

/// One instance of an FTS5 tokenizer (`fts5_tokenizer.xCreate`, freed with `xDelete`), computing rows' tokens
/// ahead of their insert for `Connection.replaying(_:for:_:)`.
///
/// `@unchecked Sendable`: it is made on a connection's thread and handed to one other thread, which alone uses it
/// (like a connection, one owner at a time); it keeps no pointer to the connection, only the tokenizer's own state.
public final class FTS5Tokenizer: @unchecked Sendable {
    private let module: Raw.TokenizerModule
    private let instance: OpaquePointer
    private let sink = TokenSink()

    init(_ module: Raw.TokenizerModule, arguments: [String]) throws(SQLiteError) {
        let (instance, code) = Raw.createTokenizer(module, arguments: arguments)
        guard let instance else { throw Raw.error(code, nil) }
        self.module = module
        self.instance = instance
    }

    deinit { Raw.deleteTokenizer(module, instance) }

    /// The tokens of one row's indexed columns, `texts` in the table's column order, tokenized as documents
    /// (`xTokenize` with FTS5_TOKENIZE_DOCUMENT); nil if the tokenizer failed.
    public func tokens(_ texts: [String]) -> FTS5Tokens? {
        for text in texts {
            sink.beginColumn()
            let code = Raw.tokenize(module, instance, text, into: sink)
            sink.endColumn()
            guard code == 0 else {
                _ = sink.take(texts: [])
                return nil
            }
        }
        return sink.take(texts: texts)
    }
}

/// A connection's replaying tokenizer: the real tokenizer it wraps, and what is armed for the next insert.
final class TokenReplay {
    /// The name it replays under.
    let name: String
    /// FTS5's own tokenizer of that name, found before the replaying one took the name.
    let real: Raw.TokenizerModule
    /// What is armed: the row's tokens (with the texts they were computed from), and the column and byte to replay
    /// next.
    private var tokens: FTS5Tokens?
    private var column = 0
    private var offset = 0
    /// Columns replayed, and armed columns whose text differed (tokenized by the real tokenizer instead).
    var replayed = 0
    var fellBack = 0

    init(name: String, real: Raw.TokenizerModule) {
        self.name = name
        self.real = real
    }

    func arm(_ tokens: FTS5Tokens) {
        self.tokens = tokens
        column = 0
        offset = 0
    }

    func disarm() { tokens = nil }

    /// The armed tokens of the next column if `text` is the text they were computed from; nil otherwise (and when
    /// nothing is armed). Each call while armed moves to the next column.
    func next(matching text: UnsafeRawBufferPointer) -> FTS5ColumnTokens? {
        guard let tokens, column < tokens.texts.count, offset + 4 <= tokens.bytes.count else { return nil }
        let length = (0..<4).reduce(0) { $0 | Int(tokens.bytes[offset + $1]) << (8 * $1) }
        let records = offset + 4..<offset + 4 + length
        let expected = tokens.texts[column]
        column += 1
        offset = records.upperBound
        let same = expected.utf8.withContiguousStorageIfAvailable { stored in
            stored.count == text.count && (text.isEmpty || memcmp(stored.baseAddress!, text.baseAddress!, text.count) == 0)
        } ?? false
        guard same else {
            fellBack += 1
            return nil
        }
        replayed += 1
        return FTS5ColumnTokens(tokens: tokens, records: records)
    }
}

/// An instance of the replaying tokenizer, as FTS5 made it for a table: the real tokenizer's instance beside it.
final class ReplayingInstance {
    let replay: TokenReplay
    let real: OpaquePointer

    init(replay: TokenReplay, real: OpaquePointer) {
        self.replay = replay
        self.real = real
    }

    deinit { Raw.deleteTokenizer(replay.real, real) }
}

extension Connection {
    /// Makes FTS5's tokenizer `name` on this connection replay tokens computed ahead (`replaying(_:for:_:)`),
    /// passing everything else to the real one (`SELECT fts5(?1)`, `fts5_api.xFindTokenizer`, then
    /// `xCreateTokenizer` under the same name). FTS5 makes a table's tokenizer when the connection first uses the
    /// table, so call this right after opening, before any statement touches an FTS5 table.
    public func replayTokens(of name: String) throws(SQLiteError) {
        let api = try Raw.fts5API(handle)
        let replay = TokenReplay(name: name, real: try Raw.findTokenizer(api, name))
        try Raw.registerReplayingTokenizer(api, name, replay)
        tokenReplay = replay
    }

    /// A new instance of FTS5's own tokenizer `name` (the real one, also after `replayTokens(of:)`) made with
    /// `arguments`, those that follow the name in the table's `tokenize` option (`fts5_tokenizer.xCreate`).
    public func tokenizer(_ name: String, arguments: [String]) throws(SQLiteError) -> FTS5Tokenizer {
        if let tokenReplay, tokenReplay.name.lowercased() == name.lowercased() {
            return try FTS5Tokenizer(tokenReplay.real, arguments: arguments)
        }
        return try FTS5Tokenizer(try Raw.findTokenizer(try Raw.fts5API(handle), name), arguments: arguments)
    }

    /// Runs `body`, which inserts one row into an FTS5 table, with `tokens` (computed by an `FTS5Tokenizer` like the
    /// table's, from the row's texts in column order) replayed instead of tokenizing again. A column whose text, as
    /// FTS5 hands it to the tokenizer, is not byte for byte the one its tokens were computed from is tokenized by the
    /// real tokenizer. Without `replayTokens(of:)` it only runs `body`.
    public func replaying<Result>(_ tokens: FTS5Tokens,
                                  _ body: () throws(SQLiteError) -> Result) throws(SQLiteError) -> Result {
        guard let tokenReplay else { return try body() }
        tokenReplay.arm(tokens)
        defer { tokenReplay.disarm() }
        return try body()
    }

    /// Whether `replayTokens(of:)` registered a replaying tokenizer on this connection.
    public var replaysTokens: Bool { tokenReplay != nil }

    /// Columns replayed so far, and armed columns whose text differed and were tokenized again.
    public var tokenReplayCounts: (replayed: Int, fellBack: Int) {
        (tokenReplay?.replayed ?? 0, tokenReplay?.fellBack ?? 0)
    }
}
