// Where Quarry keeps its data, as `--db` / QUARRY_DB give it: a SQLite file (one host), or a PostgreSQL database
// several hosts share (docs/many-hosts.md). Both open as the same storage protocols, so nothing past here knows which.
public import Postgres

/// Every storage protocol `quarry serve` uses, in one value.
public typealias QuarryStorage = ConversationStorage & AdminStorage & SignInStorage & SettingsStorage

/// A database to open: a file path, or a `postgresql://` (or `postgres://`) URL.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file, created if missing.
    case file(String)
    /// A PostgreSQL database; its tables are created if missing.
    case postgres(PostgresConfiguration)

    /// Reads `text`: a URL starting `postgresql://` or `postgres://` names a PostgreSQL database (checked by libpq's
    /// own parser), anything else a file.
    /// - Throws: `.postgres` for a PostgreSQL URL libpq cannot read (the message never repeats its password); an
    ///   empty text is a mistake too.
    public init(_ text: String) throws(StoreError) {
        if Self.namesPostgres(text) {
            do { self = .postgres(try PostgresConfiguration(url: text)) } catch { throw .postgres(error) }
        } else if text.isEmpty {
            throw .postgres(PostgresError(.configuration, "The database must be a file path or a postgresql:// URL, not empty"))
        } else {
            self = .file(text)
        }
    }

    /// Whether `text` is a PostgreSQL URL (it may still be one libpq cannot read) rather than a file path.
    public static func namesPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Whether several hosts may share it (PostgreSQL).
    public var isShared: Bool {
        if case .postgres = self { true } else { false }
    }

    /// The path, or the URL with its password hidden.
    public var description: String {
        switch self {
        case .file(let path): path
        case .postgres(let configuration): configuration.description
        }
    }

    /// Opens it (creating and migrating as needed), recording answers under `host`.
    public func open(host: JobHost = JobHost()) throws(StoreError) -> any QuarryStorage {
        switch self {
        case .file(let path): try Store(path: path, host: host)
        case .postgres(let configuration): try PostgresStore(configuration, host: host)
        }
    }
}
