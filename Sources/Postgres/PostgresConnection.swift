/// One connection to a PostgreSQL database: a libpq `PGconn`, opened in `init`, finished in `deinit`, and opened
/// again on the next use after the server dropped it.
///
/// Not `Sendable`: one owner uses it at a time (see the threading rule in `Raw.swift`). Parameters are `$1`, `$2`…,
/// bound in order, as `PQexecParams` sends them; the shape follows the SQLite wrapper's `Connection` (`execute` for
/// a script, `run` for one statement, `query` for its rows, `transaction { }`), so Store code can be written
/// against either.
///
///     let db = try PostgresConnection(PostgresConfiguration(url: "postgresql://quarry@db/quarry"))
///     try db.run("INSERT INTO settings(key, value) VALUES ($1, $2)", "theme", Array("dark".utf8))
///     let rows = try db.query("SELECT value FROM settings WHERE key = $1", "theme")
///
/// A lost connection (the server restarted, a network cut) makes the statement that meets it throw
/// `.connectionLost`; the statement is not sent again, since it may have run. The next call connects afresh (and
/// sets the session up again): a transaction or a session's advisory locks do not survive that.
public final class PostgresConnection {
    /// The database and time limits.
    public let configuration: PostgresConfiguration
    /// The live connection; nil after a failed reconnect, until the next use tries again.
    private var connection: PGConnection?

    /// Connects (`PQconnectdbParams`, within the configuration's `connectTimeout`) and sets the session up: `bytea`
    /// output in hex, floats in their shortest exact text, and the statement timeout if one is configured.
    /// - Throws: `.connection` with a sentence naming the server ("PostgreSQL at 127.0.0.1:5433 refused the
    ///   connection"); `.unavailable` without libpq.
    public init(_ configuration: PostgresConfiguration) throws(PostgresError) {
        self.configuration = configuration
        connection = try Self.connect(configuration)
    }

    // MARK: Running SQL

    /// Runs a script of zero or more statements separated by semicolons, without parameters, discarding any rows
    /// (`PQexec`). Unless a transaction surrounds them, the server runs them as one implicit transaction.
    public func execute(_ sql: String) throws(PostgresError) {
        let connection = try live()
        do { try connection.execute(sql) } catch { throw self.error(error, sql: sql) }
    }

    /// Runs one statement with `bindings` for `$1`, `$2`… in order, discarding any rows (`PQexecParams`); the number
    /// of rows it inserted, updated or deleted.
    @discardableResult
    public func run(_ sql: String, _ bindings: (any PostgresBindable)?...) throws(PostgresError) -> Int {
        try perform(sql, bindings).changed
    }

    /// Runs one statement with `bindings` for `$1`, `$2`… in order, discarding any rows (`PQexecParams`); the number
    /// of rows it inserted, updated or deleted.
    @discardableResult
    public func run(_ sql: String, bindings: [(any PostgresBindable)?]) throws(PostgresError) -> Int {
        try perform(sql, bindings).changed
    }

    /// Runs one statement with `bindings` for `$1`, `$2`… in order and returns all its rows (`PQexecParams`).
    public func query(_ sql: String, _ bindings: (any PostgresBindable)?...) throws(PostgresError) -> [PostgresRow] {
        try perform(sql, bindings).rows
    }

    /// Runs one statement with `bindings` for `$1`, `$2`… in order and returns all its rows (`PQexecParams`).
    public func query(_ sql: String, bindings: [(any PostgresBindable)?]) throws(PostgresError) -> [PostgresRow] {
        try perform(sql, bindings).rows
    }

    // MARK: State

    /// Whether a transaction is open, or failed and waiting for its ROLLBACK (`PQtransactionStatus`).
    public var isInTransaction: Bool { connection?.isUp == true && connection?.isInTransaction == true }

    /// Whether the connection is up as far as libpq knows (`PQstatus`; no round trip: a server that went away
    /// unnoticed is found by the next statement).
    public var isConnected: Bool { connection?.isUp == true }

    /// The server process of this connection (`PQbackendPID`); it changes when the connection is made again.
    public var backendPID: Int32? { connection.flatMap { $0.isUp ? $0.backendPID : nil } }

    // MARK: Connecting

    private func perform(_ sql: String, _ bindings: [(any PostgresBindable)?]) throws(PostgresError)
        -> (rows: [PostgresRow], changed: Int)
    {
        var parameters: [Parameter?] = []
        for binding in bindings {
            do { parameters.append(try (binding?.postgresValue ?? .null).parameter()) } catch {
                throw PostgresError(.statement, "Text sent to PostgreSQL cannot hold a NUL character", sql: sql)
            }
        }
        let connection = try live()
        do { return try connection.run(sql, parameters) } catch { throw self.error(error, sql: sql) }
    }

    /// The connection, made again first if the server dropped it.
    private func live() throws(PostgresError) -> PGConnection {
        if let connection, connection.isUp { return connection }
        connection = nil  // finishes the broken one
        let made = try Self.connect(configuration)
        connection = made
        return made
    }

    private static func connect(_ configuration: PostgresConfiguration) throws(PostgresError) -> PGConnection {
        // Before `dbname` (the URL): defaults the URL may override. After it: what this module relies on.
        let parameters = [
            ("connect_timeout", "\(configuration.connectTimeoutSeconds)"), ("application_name", "quarry"),
            ("dbname", configuration.url), ("client_encoding", "UTF8"),
        ]
        let connection = try PGConnection(parameters) { cause in connectionError(configuration, cause) }
        var settings = "SET bytea_output = 'hex'; SET extra_float_digits = 1"
        if let milliseconds = configuration.statementTimeoutMilliseconds {
            settings += "; SET statement_timeout = \(milliseconds)"
        }
        do { try connection.execute(settings) } catch {
            throw statementError(configuration, error, sql: settings)
        }
        return connection
    }

    private func error(_ failure: StatementFailure, sql: String) -> PostgresError {
        Self.statementError(configuration, failure, sql: sql)
    }
}
