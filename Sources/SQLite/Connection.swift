/// One open SQLite database connection: a `sqlite3*` opened in `init`, closed in `deinit` (`sqlite3_close_v2`).
///
/// Not `Sendable`: one owner uses it at a time (see the threading rule in `SQLite.swift`). On open it sets
/// `journal_mode=WAL` (file databases; checked), the busy timeout, `foreign_keys=ON` and `synchronous=NORMAL`.
///
///     let db = try Connection(path: "quarry.db")
///     try db.run("INSERT INTO settings(key, value) VALUES (?, ?)", "theme", Array("dark".utf8))
///     let rows = try db.query("SELECT value FROM settings WHERE key = ?", "theme")
public final class Connection {
    /// Where a connection's database lives.
    public enum Location: Sendable, Hashable {
        /// A file, created if missing (its folder must exist).
        case file(String)
        /// A private, temporary database in memory (SQLite's `":memory:"`), gone when the connection closes.
        case memory
    }

    /// The busy timeout used unless another is given: how long a write waits for another connection's lock.
    public static let defaultBusyTimeout: Duration = .milliseconds(5000)

    /// Where the database lives.
    public let location: Location
    /// How long a statement waits for another connection's lock before failing with `.busy`.
    public let busyTimeout: Duration

    let handle: OpaquePointer
    /// What `onCommit(walFrames:)` registered, kept alive while SQLite holds a pointer to it.
    var walHook: WALHookBox?

    /// Opens (creating if needed) the database at `location` and configures it (`sqlite3_open_v2` with
    /// `SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX`, `sqlite3_busy_timeout`, then
    /// `PRAGMA journal_mode=WAL`, `foreign_keys=ON`, `synchronous=NORMAL`).
    /// - Parameter pageSize: the page size in bytes (a power of two, 512…65536) a database created by this call
    ///   gets (`PRAGMA page_size`, set before WAL mode writes the file's first page); an existing database keeps
    ///   its own. Nil: SQLite's default (4096).
    /// - Throws: `.cantOpen` when the file or its folder cannot be opened; `.notADatabase` for another kind of
    ///   file; `.error` when a file database does not switch to WAL.
    public init(_ location: Location, busyTimeout: Duration = Connection.defaultBusyTimeout, pageSize: Int? = nil)
        throws(SQLiteError)
    {
        let path = switch location {
        case .file(let path): path
        case .memory: ":memory:"
        }
        handle = try Raw.open(path)
        self.location = location
        self.busyTimeout = busyTimeout
        // From here on a throw still runs `deinit`, which closes the handle.
        try Raw.busyTimeout(handle, milliseconds: Self.milliseconds(busyTimeout))
        try execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        // A no-op once the file has pages; switching to WAL below creates them.
        if let pageSize { try execute("PRAGMA page_size = \(pageSize)") }
        if case .file = location {
            let mode = try query("PRAGMA journal_mode = WAL").first?[0].string?.lowercased()
            guard mode == "wal" else {
                throw SQLiteError(
                    code: .error,
                    message: "the database did not switch to WAL journal mode (it reports \(mode ?? "nothing"))")
            }
        }
    }

    /// Opens (creating if needed) the database file at `path`; see `init(_:busyTimeout:pageSize:)`.
    public convenience init(path: String, busyTimeout: Duration = Connection.defaultBusyTimeout, pageSize: Int? = nil)
        throws(SQLiteError)
    {
        try self.init(.file(path), busyTimeout: busyTimeout, pageSize: pageSize)
    }

    deinit {
        if walHook != nil { Raw.walHook(handle, nil, nil) }
        Raw.close(handle)
    }

    // MARK: Running SQL

    /// Compiles one SQL statement (`sqlite3_prepare_v2`).
    /// - Throws: `.error` for a syntax error or a missing table; `.misuse` for text with no or several statements.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(self, sql: sql)
    }

    /// Runs a script of zero or more statements separated by semicolons, without parameters, discarding any rows
    /// (`sqlite3_exec`). Statements before a failing one stay done unless a transaction surrounds them.
    public func execute(_ sql: String) throws(SQLiteError) {
        try Raw.exec(handle, sql)
    }

    /// Runs one statement with `bindings` for its parameters in order, discarding any rows
    /// (`sqlite3_prepare_v2`, `sqlite3_bind_*`, `sqlite3_step`).
    public func run(_ sql: String, _ bindings: (any SQLiteBindable)?...) throws(SQLiteError) {
        try run(sql, bindings: bindings)
    }

    /// Runs one statement with `bindings` for its parameters in order, discarding any rows
    /// (`sqlite3_prepare_v2`, `sqlite3_bind_*`, `sqlite3_step`).
    public func run(_ sql: String, bindings: [(any SQLiteBindable)?]) throws(SQLiteError) {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        try statement.run()
    }

    /// Runs one statement with `bindings` for its parameters in order and returns all its rows
    /// (`sqlite3_prepare_v2`, `sqlite3_bind_*`, `sqlite3_step`, `sqlite3_column_*`).
    public func query(_ sql: String, _ bindings: (any SQLiteBindable)?...) throws(SQLiteError) -> [Row] {
        try query(sql, bindings: bindings)
    }

    /// Runs one statement with `bindings` for its parameters in order and returns all its rows
    /// (`sqlite3_prepare_v2`, `sqlite3_bind_*`, `sqlite3_step`, `sqlite3_column_*`).
    public func query(_ sql: String, bindings: [(any SQLiteBindable)?]) throws(SQLiteError) -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        return try statement.rows()
    }

    /// Runs `body` with another busy timeout (`.zero`: a statement that meets another connection's lock fails at
    /// once with `.busy`), then restores this connection's own.
    public func withBusyTimeout<Result>(_ timeout: Duration, _ body: () throws(SQLiteError) -> Result)
        throws(SQLiteError) -> Result
    {
        try Raw.busyTimeout(handle, milliseconds: Self.milliseconds(timeout))
        defer { try? Raw.busyTimeout(handle, milliseconds: Self.milliseconds(busyTimeout)) }
        return try body()
    }

    // MARK: State

    /// The rowid of the last row this connection inserted (`sqlite3_last_insert_rowid`).
    public var lastInsertRowID: Int64 { Raw.lastInsertRowID(handle) }

    /// The number of rows the last INSERT, UPDATE or DELETE changed (`sqlite3_changes64`).
    public var changes: Int64 { Raw.changes(handle) }

    /// Whether a transaction is open on this connection (`sqlite3_get_autocommit` is 0).
    public var isInTransaction: Bool { !Raw.isAutocommit(handle) }

    /// Caps this connection's page cache at `kibibytes` KiB (`PRAGMA cache_size` with a negative value). Pages past
    /// a lowered cap that no statement holds are freed at once.
    public func setCacheSize(kibibytes: Int) throws(SQLiteError) {
        try execute("PRAGMA cache_size = -\(max(1, kibibytes))")
    }

    /// The bytes of heap this connection's page cache holds now; it grows up to `PRAGMA cache_size`
    /// (`sqlite3_db_status` with `SQLITE_DBSTATUS_CACHE_USED`).
    public var pageCacheBytes: Int { Raw.cacheUsed(handle) }

    /// A duration in whole milliseconds, clamped to what `sqlite3_busy_timeout` takes.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        guard seconds < Int64(Int32.max / 1000) else { return .max }
        return Int32(max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}
