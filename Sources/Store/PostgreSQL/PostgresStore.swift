// PostgresStore: Quarry's storage in a PostgreSQL database, for several hosts sharing one (docs/many-hosts.md,
// docs/postgres.md). It implements the same storage protocols as `Store` (SQLite) with the same behaviour, which
// `Tests/StorageTests` checks by running every test on both.
//
// Threading: a `PostgresConnection` has one owner at a time. A PostgresStore owns one writer, used inside `lock` (one
// write of this host at a time, as with `Store`), and up to `readerCount` readers in a pool (a search over the
// network takes milliseconds, so reads go side by side rather than one after another); a long write never holds up
// a read. Several hosts, each with
// its own PostgresStore, share the database; PostgreSQL's transactions keep each requirement whole between them.
internal import Locking
public import Postgres

/// Quarry's database on a PostgreSQL server: connected to and migrated in `init`.
///
///     let store = try PostgresStore(PostgresConfiguration(url: "postgresql://quarry@db.internal/quarry"))
///     let threads = try store.threads(session: id)
public final class PostgresStore: @unchecked Sendable {
    /// The server, database and time limits.
    public let configuration: PostgresConfiguration

    /// The host whose answers this store queues and runs: unique among the hosts sharing the database.
    public let host: JobHost

    // `lock` owns `writer`. `readers` holds the reading connections not in use (nil: a place for one not made yet):
    // a read takes one out and puts it back, so each has one owner at a time. `turnLock` owns `turns`, the
    // connection that holds the ingestion turn's advisory lock (made at the first turn).
    private let lock = Lock()
    private let writer: PostgresConnection
    private let readers = Handoff<PostgresConnection?>(budget: .max)
    private let turnLock = Lock()
    private var turns: PostgresConnection?
    /// The connection holding this host's name (`claimHostName`), for the store's life; owned by `turnLock` too.
    private var name: PostgresConnection?

    /// The advisory lock key of the ingestion turn ("quarry-i" in ASCII).
    static let ingestionLock: Int64 = 0x71_75_61_72_72_79_2D_69

    /// Connects (a writer and a first reader) and brings the schema up to date. Several hosts starting at once take
    /// turns: the migrations run under an advisory lock, each in a transaction.
    /// - Throws: `.postgres` when the server cannot be reached or refuses; `.newerPostgresDatabase` when a newer
    ///   Quarry migrated it (left untouched).
    /// - Parameter readerCount: the most reading connections it opens (one at once, the others when reads overlap).
    public init(_ configuration: PostgresConfiguration, host: JobHost = JobHost(), readerCount: Int = 4)
        throws(StoreError)
    {
        self.configuration = configuration
        self.host = host
        do { writer = try PostgresConnection(configuration) } catch { throw .postgres(error) }
        try PostgresSchema.migrate(writer, place: configuration.place)
        do { readers.put(try PostgresConnection(configuration), cost: 1) } catch { throw .postgres(error) }
        for _ in 1..<max(1, readerCount) { readers.put(nil, cost: 1) }
    }

    /// How many migrations this Quarry's PostgreSQL schema has had (`quarry_schema`'s latest version).
    public static var schemaVersion: Int { PostgresSchema.latestVersion }

    /// What the database holds, for `quarry doctor` (the check is "ok": PostgreSQL checks its own pages).
    public func contents() throws(StoreError) -> Store.Contents {
        try inSnapshot { db throws(PostgresError) in
            let row = try db.query("""
                SELECT (SELECT count(*) FROM threads), (SELECT count(*) FROM messages),
                    (SELECT count(*) FROM documents WHERE failure IS NULL), (SELECT count(*) FROM chunks)
                """).first
            return Store.Contents(check: "ok", conversations: row?[0].int ?? 0, messages: row?[1].int ?? 0,
                                  documents: row?[2].int ?? 0, passages: row?[3].int ?? 0)
        }
    }

    /// The value stored under `key` in `settings`, or nil.
    public func setting(_ key: String) throws(StoreError) -> [UInt8]? {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT value FROM settings WHERE key = $1", key).first?[0].bytes
        }
    }

    /// Stores `value` under `key` in `settings`, replacing any earlier value.
    public func setSetting(_ key: String, _ value: [UInt8]) throws(StoreError) {
        try withWriter { db throws(PostgresError) in
            try db.run("""
                INSERT INTO settings (key, value) VALUES ($1, $2)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, key, value)
        }
    }

    /// Stores `value` under `key` unless a value is there already; the value stored afterwards.
    public func settingKeepingFirst(_ key: String, _ value: [UInt8]) throws(StoreError) -> [UInt8] {
        try inTransaction { db throws(PostgresError) -> [UInt8] in
            try db.run("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, value)
            return try db.query("SELECT value FROM settings WHERE key = $1", key).first?[0].bytes ?? value
        }
    }

    /// Takes PostgreSQL's advisory lock for ingestion (`pg_try_advisory_lock`, on a connection of its own, so no
    /// other statement of this store can lose it with a reconnect); false when another host holds it.
    public func beginIngestionTurn() throws(StoreError) -> Bool {
        try turnLock.withLock { () throws(StoreError) -> Bool in
            do throws(PostgresError) {
                if turns == nil { turns = try PostgresConnection(configuration) }
                return try turns!.tryAdvisoryLock(Self.ingestionLock)
            } catch {
                throw .postgres(error)
            }
        }
    }

    /// Takes a session advisory lock keyed by this host's name on a connection of its own, kept for the store's
    /// life. A process that dies closes the connection and PostgreSQL lets the name go: at once when the process
    /// ends, within about 25 s when its machine vanishes (the session's TCP keepalives are set short).
    public func claimHostName() throws(StoreError) -> Bool {
        try turnLock.withLock { () throws(StoreError) -> Bool in
            if name != nil { return true }
            do throws(PostgresError) {
                let connection = try PostgresConnection(configuration)
                try connection.execute("""
                    SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3
                    """)
                guard try connection.query("SELECT pg_try_advisory_lock($1::integer, hashtext($2))", Self.hostNameLocks,
                                           host.name).first?[0].bool == true
                else { return false }
                name = connection
                return true
            } catch {
                throw .postgres(error)
            }
        }
    }

    /// The first key of the two-key advisory locks on host names ("quar" in ASCII).
    static let hostNameLocks: Int32 = 0x71_75_61_72

    /// Gives the advisory lock back (a lost connection has given it back already).
    public func endIngestionTurn() {
        turnLock.withLock { _ = try? turns?.advisoryUnlock(Self.ingestionLock) }
    }

    // MARK: Connections

    /// Runs `body` on a reading connection of its own (a free one, a new one while there are fewer than the pool's
    /// size, or the first to come free), reporting PostgreSQL's errors as `StoreError.postgres`.
    func withReader<Result>(_ body: (PostgresConnection) throws(PostgresError) -> Result) throws(StoreError) -> Result {
        // The pool is never finished, so `take` always gives a place.
        var reader = readers.take() ?? nil
        defer { readers.put(reader, cost: 1) }
        do throws(PostgresError) {
            if reader == nil { reader = try PostgresConnection(configuration) }
            return try body(reader!)
        } catch {
            throw .postgres(error)
        }
    }

    /// Runs `body` on the writing connection under its lock, reporting PostgreSQL's errors as `StoreError.postgres`.
    @discardableResult
    func withWriter<Result>(_ body: (PostgresConnection) throws(PostgresError) -> Result) throws(StoreError) -> Result {
        try lock.withLock { () throws(StoreError) -> Result in
            do throws(PostgresError) { return try body(writer) } catch { throw .postgres(error) }
        }
    }

    /// Runs `body` in a transaction on the writing connection if no other write of this store is in progress, with
    /// row locks not waited for (`lock_timeout` 1 ms); nil when either is held, and nothing was changed.
    func inTransactionIfFree<Result>(_ body: (PostgresConnection) throws(PostgresError) -> Result)
        throws(StoreError) -> Result?
    {
        do throws(PostgresError) {
            return try lock.withLockIfAvailable { () throws(PostgresError) -> Result in
                try writer.transaction(wrappingErrors: { $0 }) { () throws(PostgresError) -> Result in
                    try writer.execute("SET LOCAL lock_timeout = '1ms'")
                    return try body(writer)
                }
            }
        } catch where error.sqlState == .lockNotAvailable {
            return nil
        } catch {
            throw .postgres(error)
        }
    }

    /// Runs `body` in one transaction on the writing connection, running it again (up to three times in all) when
    /// PostgreSQL ends it with a serialization failure or a deadlock, which another host's transaction can cause.
    func inTransaction<Result>(
        _ isolation: PostgresConnection.Isolation = .readCommitted,
        _ body: (PostgresConnection) throws(PostgresError) -> Result
    ) throws(StoreError) -> Result {
        try withWriter { db throws(PostgresError) in
            var attempt = 1
            while true {
                do throws(PostgresError) {
                    return try db.transaction(isolation, wrappingErrors: { $0 }) { () throws(PostgresError) -> Result in
                        try body(db)
                    }
                } catch where error.isRetryable && attempt < 3 {
                    attempt += 1
                }
            }
        }
    }

    /// Runs `body` as one consistent read (a repeatable-read, read-only transaction) on the reading connection: every
    /// statement in it sees the database as of the same moment.
    func inSnapshot<Result>(_ body: (PostgresConnection) throws(PostgresError) -> Result) throws(StoreError) -> Result {
        try withReader { db throws(PostgresError) in
            try db.transaction(.repeatableRead, wrappingErrors: { $0 }) { () throws(PostgresError) -> Result in
                try body(db)
            }
        }
    }

    /// The current time in seconds since 1970, as `Store` records it.
    static func now() -> Int64 { Store.now() }
}
