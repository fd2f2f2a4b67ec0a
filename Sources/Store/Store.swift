// Store: Quarry's SQLite database (one file, WAL): its schema and migrations, settings, the server secret,
// conversations, built-in accounts (`Accounts`), and the knowledge base (documents, chunks, their full-text index and
// embeddings). It implements the storage protocols of `Storage/` (`ConversationStorage`, `KnowledgeStorage`,
// `AdminStorage`), which Chat, Retrieval and Admin take instead of this class; what is SQLite's own (opening,
// migrations, backup, what the doctor reads) stays here.
//
// Threading: SQLite's rule is one connection per owner. A `Store` owns two: the writer, used inside `lock` (one
// writer at a time, as SQLite allows), and a reader for queries, inside `readLock`, so that a search is never held
// up by a long write (WAL lets readers see the last commit while a write is in progress). It is `Sendable`, so it
// can be shared between tasks and threads. Several Stores (or processes) may open the same file; WAL and the busy
// timeout let them take turns.
internal import Locking
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#endif
public import SQLite

/// Quarry's database: opened (created if needed) and migrated in `init`.
///
///     let store = try Store(path: "quarry.db")
///     let secret = try store.serverSecret(environment: environment["QUARRY_SECRET"])
public final class Store: @unchecked Sendable {
    /// The shortest acceptable server secret, in bytes: 256 bits, a full HMAC-SHA256 key.
    public static let minimumSecretLength = 32

    /// The page size of a database this Store creates, in bytes; an existing one keeps its own. SQLite's default is
    /// 4 KiB; at 8 KiB ingestion's storing thread spends about an eighth less time (half as many page-sized writes
    /// and reads of log and file), and 16 KiB, no faster, held 5 MB more at the peak (docs/retrieval.md).
    static let newDatabasePageSize = 8192

    /// The writer's page cache between knowledge-base changes, in KiB. A cache keeps what its connection wrote until
    /// it is full, and a running server writes new pages all day (messages, answers), so at SQLite's 2 MB the
    /// writer's grew by about 30 KiB a minute in the soak for the first hours; at this size it is full within the first
    /// minute and SQLite's heap stays level. A chat write touches a few dozen pages; the rest come from the kernel's
    /// cache of the file (docs/limits.md).
    static let writerCacheKiB = 256
    /// The writer's page cache while it applies a batch of documents, in KiB: SQLite's default. Indexing rereads
    /// the full-text index's segments as it merges them; `quarry ingest` of plain text took 0.29 s instead of 0.28
    /// with 256 KiB and 0.47 with 64 (docs/limits.md).
    static let indexingCacheKiB = 2000

    /// The database file's path, as given.
    public let path: String

    /// The host whose answers this Store queues and runs (`local` unless told).
    public let host: JobHost

    // `lock` owns `connection` (the writer) and `readLock` owns `reader`: each is only touched inside its lock.
    private let lock = Lock()
    private let connection: Connection
    private let readLock = Lock()
    private let reader: Connection
    // Each connection's page cache as last seen by its owner (`/metrics` reads them without taking the locks).
    private let writerCache = Atomic<Int>(0)
    private let readerCache = Atomic<Int>(0)

    /// Opens (creating if needed) the database file at `path` and applies Quarry's migrations.
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another connection's lock before failing.
    ///   - host: the host its answers' jobs are recorded under.
    /// - Throws: `.cannotOpen` (missing folder, no permission, not a database), `.newerDatabase` (written by a newer
    ///   Quarry; left untouched), `.migrationFailed`.
    public init(path: String, busyTimeout: Duration = Connection.defaultBusyTimeout, host: JobHost = JobHost())
        throws(StoreError)
    {
        self.path = path
        self.host = host
        Self.keepPrivate(path)
        do {
            connection = try Connection(path: path, busyTimeout: busyTimeout, pageSize: Self.newDatabasePageSize)
        } catch {
            throw .cannotOpen(path: path, cause: error)
        }
        let migrator = Self.migrator
        let version: Int
        do {
            version = try migrator.appliedVersion(in: connection)
        } catch {
            throw .cannotOpen(path: path, cause: error)
        }
        guard version <= migrator.latestVersion else {
            throw .newerDatabase(path: path, version: version, supported: migrator.latestVersion)
        }
        do { try migrator.migrate(connection) } catch { throw .migrationFailed(path: path, cause: error) }
        do {
            try connection.setCacheSize(kibibytes: Self.writerCacheKiB)
        } catch {
            throw .cannotOpen(path: path, cause: error)
        }
        do {
            reader = try Connection(path: path, busyTimeout: busyTimeout)
        } catch {
            throw .cannotOpen(path: path, cause: error)
        }
    }

    /// The bytes each connection's page cache held when it was last used: the writer's stays filled between writes
    /// (it made the changes, so its pages stay valid); the reader's is dropped whenever another connection wrote.
    public var pageCacheBytes: (writer: Int, reader: Int) {
        (writerCache.load(ordering: .relaxed), readerCache.load(ordering: .relaxed))
    }

    /// The value stored under `key` in `settings`, or nil.
    public func setting(_ key: String) throws(StoreError) -> [UInt8]? {
        try withConnection { db throws(SQLiteError) in try Self.read(key, db) }
    }

    /// Stores `value` under `key` in `settings`, replacing any earlier value.
    public func setSetting(_ key: String, _ value: [UInt8]) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in try Self.write(key, value, db) }
    }

    /// Stores `value` under `key` unless a value is there already; the value stored afterwards.
    public func settingKeepingFirst(_ key: String, _ value: [UInt8]) throws(StoreError) -> [UInt8] {
        try withConnection { db throws(SQLiteError) in
            // Read again under the write lock: another Store on this file may have stored one meanwhile.
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> [UInt8] in
                if let stored = try Self.read(key, db) { return stored }
                try Self.write(key, value, db)
                return value
            }
        }
    }

    // MARK: Helpers

    /// Makes the database readable and writable by its owner only: it holds the key that signs sessions, and
    /// people's questions. A new file is created 0600 before SQLite opens it (its WAL and shared-memory files take
    /// the database's permissions); an existing one, and those files, lose any group and world access (a database
    /// written by an older Quarry under the usual umask was 0644). Failures are left to `Connection` to report.
    static func keepPrivate(_ path: String) {
        guard !path.isEmpty, path != ":memory:" else { return }
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 {
            close(created)
            return
        }
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { continue }
            _ = chmod(file, info.st_mode & 0o700)
        }
    }

    /// Runs `body` on the reading connection under its lock, reporting SQLite errors as `StoreError.database`.
    func withReader<Result>(
        _ body: (Connection) throws(SQLiteError) -> Result
    ) throws(StoreError) -> Result {
        try readLock.withLock { () throws(StoreError) -> Result in
            defer { readerCache.store(reader.pageCacheBytes, ordering: .relaxed) }
            do throws(SQLiteError) { return try body(reader) } catch { throw .database(error) }
        }
    }

    /// Runs `body` on the writing connection under the lock, reporting SQLite errors as `StoreError.database`.
    func withConnection<Result>(
        _ body: (Connection) throws(SQLiteError) -> Result
    ) throws(StoreError) -> Result {
        try lock.withLock { () throws(StoreError) -> Result in
            defer { writerCache.store(connection.pageCacheBytes, ordering: .relaxed) }
            do throws(SQLiteError) { return try body(connection) } catch { throw .database(error) }
        }
    }

    /// Runs `body` on the writing connection if no other write of this Store is in progress, without waiting for
    /// SQLite's lock either (busy timeout zero); nil when either is held.
    func withConnectionIfFree<Result>(
        _ body: (Connection) throws(SQLiteError) -> Result
    ) throws(StoreError) -> Result? {
        do throws(SQLiteError) {
            return try lock.withLockIfAvailable { () throws(SQLiteError) -> Result in
                try connection.withBusyTimeout(.zero) { () throws(SQLiteError) -> Result in try body(connection) }
            }
        } catch where error.code == .busy {
            return nil
        } catch {
            throw .database(error)
        }
    }

    private static func read(_ key: String, _ db: Connection) throws(SQLiteError) -> [UInt8]? {
        try db.query("SELECT value FROM settings WHERE key = ?", key).first?[0].blob
    }

    private static func write(_ key: String, _ value: [UInt8], _ db: Connection) throws(SQLiteError) {
        try db.run(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            key, value)
    }
}
