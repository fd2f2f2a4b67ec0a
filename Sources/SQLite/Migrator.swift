/// One named step of a schema's history: SQL to run, or a closure.
public struct Migration: Sendable {
    /// A short name for logs, e.g. `"create settings"`.
    public let name: String
    let apply: @Sendable (Connection) throws(SQLiteError) -> Void

    /// A migration that runs `sql`, a script of one or more statements (`Connection.execute`).
    public init(_ name: String, sql: String) {
        self.name = name
        apply = { connection throws(SQLiteError) in try connection.execute(sql) }
    }

    /// A migration that runs `apply` on the connection, for steps that need Swift (copying data, say).
    public init(_ name: String, apply: @escaping @Sendable (Connection) throws(SQLiteError) -> Void) {
        self.name = name
        self.apply = apply
    }
}

/// Brings a database's schema up to date by applying an ordered list of migrations, tracked with
/// `PRAGMA user_version`: version N means the first N migrations have been applied.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction together with the version bump, so a failing
/// migration leaves the database at the previous version, and two processes migrating the same file at once apply
/// each migration exactly once. Migrations are only ever appended: never edit or reorder one that has shipped.
/// Statements that cannot run inside a transaction (`VACUUM`, `PRAGMA journal_mode`, `PRAGMA foreign_keys`) do not
/// belong in a migration.
public struct Migrator: Sendable {
    /// The migrations, oldest first.
    public let migrations: [Migration]

    /// A migrator for `migrations`, oldest first.
    public init(_ migrations: [Migration]) {
        self.migrations = migrations
    }

    /// The version a fully migrated database has: the number of migrations.
    public var latestVersion: Int { migrations.count }

    /// The database's schema version (`PRAGMA user_version`); 0 for a new database.
    public func appliedVersion(in connection: Connection) throws(SQLiteError) -> Int {
        try connection.query("PRAGMA user_version").first?[0].int ?? 0
    }

    /// Applies the migrations the database has not had yet, each in its own transaction. Running it on an
    /// up-to-date database changes nothing and takes no write lock.
    /// - Returns: the names of the migrations applied, in order.
    /// - Throws: the failing migration's `SQLiteError` (its transaction rolled back); `.error` when the database's
    ///   version is higher than `latestVersion`, i.e. a newer program has written it: going on could corrupt it.
    @discardableResult
    public func migrate(_ connection: Connection) throws(SQLiteError) -> [String] {
        var applied: [String] = []
        guard try checkedVersion(connection) < latestVersion else { return applied }
        while true {
            let name = try connection.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> String? in
                // Read again under the write lock: another connection may have migrated meanwhile.
                let version = try checkedVersion(connection)
                guard version < latestVersion else { return nil }
                let migration = migrations[version]
                try migration.apply(connection)
                try connection.execute("PRAGMA user_version = \(version + 1)")
                return migration.name
            }
            guard let name else { return applied }
            applied.append(name)
        }
    }

    private func checkedVersion(_ connection: Connection) throws(SQLiteError) -> Int {
        let version = try appliedVersion(in: connection)
        guard version >= 0 else {
            throw SQLiteError(code: .error, message: "the database's schema version is negative (\(version))")
        }
        guard version <= latestVersion else {
            throw SQLiteError(
                code: .error,
                message: "the database's schema version is \(version) but this program knows only \(latestVersion) "
                    + "migrations: it was written by a newer version, so it is left untouched")
        }
        return version
    }
}
