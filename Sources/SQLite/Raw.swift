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

    /// The bytes of heap the connection's page cache holds now (`sqlite3_db_status`, `SQLITE_DBSTATUS_CACHE_USED`).
    static func cacheUsed(_ db: OpaquePointer) -> Int {
        var current: Int32 = 0
        var highest: Int32 = 0
        guard sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, 0) == SQLITE_OK else { return 0 }
        return Int(current)
    }

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
