// Every raw libsqlite3 call of this module lives in this file, and every result code goes through `check`.
//
// `sqlite3` and `sqlite3_stmt` are incomplete C types, so Swift sees their pointers as `OpaquePointer`; those
// pointers never leave this module.
internal import CSQLite

/// The libsqlite3 calls the module makes, each a direct call of the C function of the same name.
enum Raw {
    // MARK: Result codes

    /// Throws the error for `code` unless it is `SQLITE_OK`; `db` supplies the message (`sqlite3_errmsg`).
    static func check(_ code: Int32, _ db: OpaquePointer?, sql: String? = nil) throws(SQLiteError) {
        guard code != SQLITE_OK else { return }
        throw error(code, db, sql: sql)
    }

    /// The error for a failed call's `code`, with the connection's message when there is a connection.
    static func error(_ code: Int32, _ db: OpaquePointer?, sql: String? = nil) -> SQLiteError {
        // Connections are opened with extended result codes on, so `code` is already the extended one.
        let extended = SQLiteError.Code(rawValue: code)
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? errorString(code)
        return SQLiteError(code: extended.primary, extendedCode: extended, message: message, sql: sql)
    }

    /// SQLite's English description of a result code (`sqlite3_errstr`).
    static func errorString(_ code: Int32) -> String {
        String(cString: sqlite3_errstr(code))
    }

    static func libraryVersion() -> String {
        String(cString: sqlite3_libversion())
    }

    static func memoryUsed() -> Int64 { sqlite3_memory_used() }

    // MARK: Connections

    /// Opens (creating if needed) `path` read-write with extended result codes, in multi-thread mode
    /// (`sqlite3_open_v2`); `noFollow` refuses a path that is a symbolic link (`SQLITE_OPEN_NOFOLLOW`). On failure the
    /// half-open handle is closed before throwing.
    static func open(_ path: String, noFollow: Bool = false) throws(SQLiteError) -> OpaquePointer {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
            | (noFollow ? SQLITE_OPEN_NOFOLLOW : 0)
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let failure = error(code == SQLITE_OK ? SQLITE_NOMEM : code, db)
            sqlite3_close_v2(db)
            throw failure
        }
        // Also makes sqlite3_step and friends return extended codes, which `error` relies on.
        try check(sqlite3_extended_result_codes(db, 1), db)
        return db
    }

    /// `sqlite3_close_v2`: closes now, or once the last statement is finalized.
    static func close(_ db: OpaquePointer) {
        // It only fails for a handle that is not a connection, which the owning class rules out.
        sqlite3_close_v2(db)
    }

    static func busyTimeout(_ db: OpaquePointer, milliseconds: Int32) throws(SQLiteError) {
        try check(sqlite3_busy_timeout(db, milliseconds), db)
    }

    /// Runs every statement of `sql` in turn, discarding rows (`sqlite3_exec`).
    static func exec(_ db: OpaquePointer, _ sql: String) throws(SQLiteError) {
        try check(sqlite3_exec(db, sql, nil, nil, nil), db, sql: sql)
    }

    static func changes(_ db: OpaquePointer) -> Int64 { sqlite3_changes64(db) }
    static func lastInsertRowID(_ db: OpaquePointer) -> Int64 { sqlite3_last_insert_rowid(db) }
    static func isAutocommit(_ db: OpaquePointer) -> Bool { sqlite3_get_autocommit(db) != 0 }

    // MARK: Online backup

    /// Starts copying `source`'s main database into `destination`'s (`sqlite3_backup_init`); the error is the
    /// destination's.
    static func backupInit(destination: OpaquePointer, source: OpaquePointer) throws(SQLiteError) -> OpaquePointer {
        guard let backup = sqlite3_backup_init(destination, "main", source, "main") else {
            throw error(sqlite3_extended_errcode(destination), destination)
        }
        return backup
    }

    /// Copies up to `pages` pages (-1: all that are left) in one read transaction of the source
    /// (`sqlite3_backup_step`): true when the copy is complete, false when the source or destination was busy or
    /// locked (try again); throws any other failure.
    static func backupStep(_ backup: OpaquePointer, pages: Int32, destination: OpaquePointer) throws(SQLiteError) -> Bool {
        let code = sqlite3_backup_step(backup, pages)
        switch code & 0xFF {
        case SQLITE_DONE: return true
        case SQLITE_OK, SQLITE_BUSY, SQLITE_LOCKED: return false
        default: throw error(code, destination)
        }
    }

    /// Ends a backup and frees it (`sqlite3_backup_finish`), with the error of its last step if any.
    static func backupFinish(_ backup: OpaquePointer, destination: OpaquePointer) throws(SQLiteError) {
        try check(sqlite3_backup_finish(backup), destination)
    }

    // MARK: Write-ahead log

    /// The C function `sqlite3_wal_hook` calls after a commit: (context, connection, database name, WAL frames).
    typealias WALHook = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32

    /// Registers `hook` (nil: none) with `context` to run after each commit that wrote the WAL (`sqlite3_wal_hook`).
    /// It replaces SQLite's automatic checkpoints, which are themselves such a hook.
    static func walHook(_ db: OpaquePointer, _ hook: WALHook?, _ context: UnsafeMutableRawPointer?) {
        // The previous hook's context is returned; the owner keeps track of its own.
        _ = sqlite3_wal_hook(db, hook, context)
    }

    /// Checkpoints the main database's WAL (`sqlite3_wal_checkpoint_v2`) in `mode` (`SQLITE_CHECKPOINT_PASSIVE`…):
    /// the frames in the WAL and how many of them are now in the database file.
    static func walCheckpoint(_ db: OpaquePointer, mode: Int32) throws(SQLiteError) -> (frames: Int, checkpointed: Int) {
        var frames: Int32 = 0
        var checkpointed: Int32 = 0
        try check(sqlite3_wal_checkpoint_v2(db, "main", mode, &frames, &checkpointed), db)
        return (Int(frames), Int(checkpointed))
    }

    /// `SQLITE_CHECKPOINT_PASSIVE`, `_FULL`, `_RESTART`, `_TRUNCATE`.
    static let checkpointModes = (passive: SQLITE_CHECKPOINT_PASSIVE, full: SQLITE_CHECKPOINT_FULL,
                                  restart: SQLITE_CHECKPOINT_RESTART, truncate: SQLITE_CHECKPOINT_TRUNCATE)

    // MARK: Statements

    /// Compiles the single statement in `sql` (`sqlite3_prepare_v2`). Throws `.misuse` for text holding no
    /// statement or more than one, which would otherwise be silently ignored past the first.
    static func prepare(_ db: OpaquePointer, _ sql: String) throws(SQLiteError) -> OpaquePointer {
        var statement: OpaquePointer?
        var extra: OpaquePointer?
        let (code, extraCode): (Int32, Int32) = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(db, text, -1, &statement, &tail)
            // Compiling the rest tells real statements apart from trailing whitespace and comments.
            guard code == SQLITE_OK, let tail, tail.pointee != 0 else { return (code, SQLITE_OK) }
            return (code, sqlite3_prepare_v2(db, tail, -1, &extra, nil))
        }
        try check(code, db, sql: sql)
        sqlite3_finalize(extra)
        guard let statement, extra == nil, extraCode == SQLITE_OK else {
            sqlite3_finalize(statement)
            let what = statement == nil ? "holds no SQL statement" : "holds more than one SQL statement"
            throw SQLiteError(code: .misuse, message: "the SQL text \(what); use execute(_:) for scripts", sql: sql)
        }
        return statement
    }

    static func finalize(_ statement: OpaquePointer) { sqlite3_finalize(statement) }

    /// Advances to the next row: `true` for `SQLITE_ROW`, `false` for `SQLITE_DONE` (`sqlite3_step`).
    static func step(_ statement: OpaquePointer, _ db: OpaquePointer, sql: String) throws(SQLiteError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code, db, sql: sql)
        }
    }

    static func reset(_ statement: OpaquePointer) {
        // sqlite3_reset only repeats the code of a failed last step, which `step` has already thrown.
        sqlite3_reset(statement)
    }

    static func clearBindings(_ statement: OpaquePointer) {
        // Always SQLITE_OK.
        sqlite3_clear_bindings(statement)
    }

    static func parameterCount(_ statement: OpaquePointer) -> Int {
        Int(sqlite3_bind_parameter_count(statement))
    }

    /// The 1-based index of a named parameter such as `:key`, or nil (`sqlite3_bind_parameter_index`).
    static func parameterIndex(_ statement: OpaquePointer, _ name: String) -> Int? {
        let index = sqlite3_bind_parameter_index(statement, name)
        return index == 0 ? nil : Int(index)
    }

    /// Binds `value` to the 1-based parameter `index` with `sqlite3_bind_null`, `_int64`, `_double`,
    /// `_text64` or `_blob64` (copied: `SQLITE_TRANSIENT`), or `_zeroblob` for an empty blob.
    static func bind(
        _ value: SQLiteValue, at index: Int, _ statement: OpaquePointer, _ db: OpaquePointer, sql: String
    ) throws(SQLiteError) {
        let i = Int32(clamping: index)
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(statement, i)
        case .integer(let integer):
            code = sqlite3_bind_int64(statement, i, integer)
        case .real(let real):
            code = sqlite3_bind_double(statement, i, real)
        case .text(let text):
            code = text.withCString { pointer in
                sqlite3_bind_text64(
                    statement, i, pointer, UInt64(text.utf8.count), quarry_sqlite_transient(), UInt8(SQLITE_UTF8))
            }
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { buffer in
                // A nil pointer would bind NULL, not an empty blob.
                guard let base = buffer.baseAddress, !buffer.isEmpty else {
                    return sqlite3_bind_zeroblob(statement, i, 0)
                }
                return sqlite3_bind_blob64(statement, i, base, UInt64(buffer.count), quarry_sqlite_transient())
            }
        }
        try check(code, db, sql: sql)
    }

    // MARK: Columns (0-based)

    static func columnCount(_ statement: OpaquePointer) -> Int { Int(sqlite3_column_count(statement)) }

    static func columnName(_ statement: OpaquePointer, _ index: Int) -> String {
        sqlite3_column_name(statement, Int32(index)).map { String(cString: $0) } ?? ""
    }

    /// The column's value in its stored type (`sqlite3_column_type`, then the matching `sqlite3_column_*`).
    static func columnValue(_ statement: OpaquePointer, _ index: Int) -> SQLiteValue {
        let i = Int32(index)
        switch sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
        case SQLITE_TEXT: return .text(columnText(statement, index) ?? "")
        case SQLITE_BLOB: return .blob(columnBlob(statement, index) ?? [])
        default: return .null
        }
    }

    static func columnIsNull(_ statement: OpaquePointer, _ index: Int) -> Bool {
        sqlite3_column_type(statement, Int32(index)) == SQLITE_NULL
    }

    static func columnInt64(_ statement: OpaquePointer, _ index: Int) -> Int64 {
        sqlite3_column_int64(statement, Int32(index))
    }

    static func columnDouble(_ statement: OpaquePointer, _ index: Int) -> Double {
        sqlite3_column_double(statement, Int32(index))
    }

    /// `sqlite3_column_text`, then `sqlite3_column_bytes` (in that order, as SQLite documents); nil for NULL.
    static func columnText(_ statement: OpaquePointer, _ index: Int) -> String? {
        guard let text = sqlite3_column_text(statement, Int32(index)) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// `sqlite3_column_blob`, then `sqlite3_column_bytes`; nil for NULL, `[]` for an empty blob.
    static func columnBlob(_ statement: OpaquePointer, _ index: Int) -> [UInt8]? {
        if columnIsNull(statement, index) { return nil }
        guard let blob = sqlite3_column_blob(statement, Int32(index)) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, Int32(index)))
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}

// MARK: FTS5 tokenizers

extension Raw {
    /// A tokenizer as FTS5 registers it: its three functions and the pointer its `xCreate` is given.
    struct TokenizerModule {
        let functions: fts5_tokenizer
        let context: UnsafeMutableRawPointer?
    }

    /// The connection's FTS5 API (`SELECT fts5(?1)` with a pointer bound by `sqlite3_bind_pointer` under the type
    /// "fts5_api_ptr", as SQLite documents); throws unless it is version 2 or later (3.40 has 2).
    static func fts5API(_ db: OpaquePointer) throws(SQLiteError) -> UnsafeMutablePointer<fts5_api> {
        let sql = "SELECT fts5(?1)"
        let statement = try prepare(db, sql)
        defer { finalize(statement) }
        var api: UnsafeMutablePointer<fts5_api>?
        // The type name must outlive the statement's step (SQLite keeps the pointer, and FTS5 compares it then).
        let type = UnsafeRawPointer(StaticString("fts5_api_ptr").utf8Start).assumingMemoryBound(to: CChar.self)
        try withUnsafeMutablePointer(to: &api) { (slot) throws(SQLiteError) in
            try check(sqlite3_bind_pointer(statement, 1, slot, type, nil), db, sql: sql)
            _ = try step(statement, db, sql: sql)
        }
        guard let api, api.pointee.iVersion >= 2 else {
            throw SQLiteError(code: .error, message: "this libsqlite3 offers no FTS5 API of version 2", sql: sql)
        }
        return api
    }

    /// The tokenizer registered as `name` (`fts5_api.xFindTokenizer`).
    static func findTokenizer(_ api: UnsafeMutablePointer<fts5_api>, _ name: String) throws(SQLiteError)
        -> TokenizerModule
    {
        var context: UnsafeMutableRawPointer?
        var functions = fts5_tokenizer()
        let code = api.pointee.xFindTokenizer(api, name, &context, &functions)
        guard code == SQLITE_OK else {
            throw SQLiteError(code: .error, message: "FTS5 has no tokenizer named \(name): \(errorString(code))")
        }
        return TokenizerModule(functions: functions, context: context)
    }

    /// Registers the replaying tokenizer as `name` (`fts5_api.xCreateTokenizer`); FTS5 finds the latest
    /// registration of a name first. `replay` is retained until FTS5 destroys the registration (the connection's
    /// close).
    static func registerReplayingTokenizer(_ api: UnsafeMutablePointer<fts5_api>, _ name: String,
                                           _ replay: TokenReplay) throws(SQLiteError) {
        var functions = fts5_tokenizer(xCreate: replayCreate, xDelete: replayDelete, xTokenize: replayTokenize)
        let context = Unmanaged.passRetained(replay).toOpaque()
        let code = api.pointee.xCreateTokenizer(api, name, context, &functions, replayDestroy)
        guard code == SQLITE_OK else {
            Unmanaged<TokenReplay>.fromOpaque(context).release()
            throw SQLiteError(code: .error, message: "FTS5 refused the tokenizer \(name): \(errorString(code))")
        }
    }

    /// A new instance of `module` made with `arguments` (its `xCreate`); nil, with the code, when it fails.
    static func createTokenizer(_ module: TokenizerModule, arguments: [String]) -> (OpaquePointer?, Int32) {
        let strings = arguments.map { argument in
            let bytes = argument.utf8CString
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            copy.initialize(from: bytes.withUnsafeBufferPointer { $0.baseAddress! }, count: bytes.count)
            return UnsafePointer(copy)
        }
        defer { strings.forEach { UnsafeMutablePointer(mutating: $0).deallocate() } }
        var instance: OpaquePointer?
        let code = strings.map { Optional($0) }.withUnsafeBufferPointer { argv in
            module.functions.xCreate(module.context, UnsafeMutablePointer(mutating: argv.baseAddress),
                                     Int32(argv.count), &instance)
        }
        return code == SQLITE_OK ? (instance, code) : (nil, code)
    }

    /// Frees an instance made by `createTokenizer` (the module's `xDelete`).
    static func deleteTokenizer(_ module: TokenizerModule, _ instance: OpaquePointer) {
        module.functions.xDelete(instance)
    }

    /// Tokenizes `text` as a document with `instance` of `module` (its `xTokenize`), appending each token to
    /// `sink`; the tokenizer's result code.
    static func tokenize(_ module: TokenizerModule, _ instance: OpaquePointer, _ text: String,
                         into sink: TokenSink) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            let start = UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self)
            return module.functions.xTokenize(instance, sink.buffer, FTS5_TOKENIZE_DOCUMENT, start,
                                              Int32(bytes.count), collectToken)
        }
    }

    /// `xToken` for `tokenize`: appends the token to the `TokenBuffer` that `context` points to.
    private static let collectToken: @convention(c) (
        UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32, Int32, Int32
    ) -> Int32 = { context, flags, token, length, start, end in
        context!.assumingMemoryBound(to: TokenBuffer.self).pointee
            .append(flags: flags, token: UnsafeRawPointer(token), length: Int(length), start: start, end: end)
        return SQLITE_OK
    }

    // The replaying tokenizer's functions: each only jumps into `TokenReplay` or `ReplayingInstance`.

    /// `xCreate`: an instance of the real tokenizer made with the table's arguments, inside a `ReplayingInstance`.
    private static let replayCreate: @convention(c) (
        UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int32,
        UnsafeMutablePointer<OpaquePointer?>?
    ) -> Int32 = { context, argv, argc, out in
        let replay = Unmanaged<TokenReplay>.fromOpaque(context!).takeUnretainedValue()
        let arguments = (0..<Int(max(argc, 0))).map { String(cString: argv![$0]!) }
        let (real, code) = createTokenizer(replay.real, arguments: arguments)
        guard let real else { return code }
        let instance = ReplayingInstance(replay: replay, real: real)
        out!.pointee = OpaquePointer(Unmanaged.passRetained(instance).toOpaque())
        return SQLITE_OK
    }

    /// `xDelete`: releases the `ReplayingInstance`, which frees the real instance.
    private static let replayDelete: @convention(c) (OpaquePointer?) -> Void = { instance in
        Unmanaged<ReplayingInstance>.fromOpaque(UnsafeRawPointer(instance!)).release()
    }

    /// `xTokenize`: the tokens armed for exactly this text, or else the real tokenizer's.
    private static let replayTokenize: @convention(c) (
        OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32,
        (@convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32, Int32, Int32) -> Int32)?
    ) -> Int32 = { instance, context, flags, text, count, emit in
        let instance = Unmanaged<ReplayingInstance>.fromOpaque(UnsafeRawPointer(instance!)).takeUnretainedValue()
        let replay = instance.replay
        if flags == FTS5_TOKENIZE_DOCUMENT, let text {
            let armed = replay.next(matching: UnsafeRawBufferPointer(start: text, count: Int(count)))
            if let armed {
                return armed.forEach { flags, token, count, start, end in
                    emit!(context, flags, token.assumingMemoryBound(to: CChar.self), count, start, end)
                }
            }
        }
        return replay.real.functions.xTokenize(instance.real, context, flags, text, count, emit)
    }

    /// `xDestroy` of the registration: FTS5 no longer needs the `TokenReplay`.
    private static let replayDestroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
        Unmanaged<TokenReplay>.fromOpaque(context!).release()
    }
}
