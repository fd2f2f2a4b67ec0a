// Where a PostgreSQL database is and how long to wait for it. The URL is libpq's to read: `PQconninfoParse` checks
// it here, once, so a mistake is said when Quarry starts rather than at the first question, and the same text is
// what `PQconnectdbParams` later connects with. Nothing here reads the URL a second way.

/// A PostgreSQL database to connect to: a `postgresql://user:password@host:port/dbname?sslmode=…` URL, the time
/// limit for connecting and, if any, for each statement.
///
/// Its `description` never shows the password; log that, never `url`.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The URL as given. It may hold the password: never log it (log the configuration itself).
    public let url: String
    /// The longest connecting may take (libpq's `connect_timeout`, in whole seconds, at least 2), unless the URL
    /// sets `connect_timeout` itself.
    public var connectTimeout: Duration
    /// The longest one statement may run before the server cancels it (`SET statement_timeout`, sent on each
    /// connect); nil: the server's own setting.
    public var statementTimeout: Duration?
    /// The keywords libpq read from the URL (`host`, `port`, `dbname`, `user`, `password`, `sslmode`…).
    let parameters: [String: String]

    /// What libpq's default port is, for messages when the URL names none.
    static let defaultPort = "5432"

    /// Checks `url` with libpq (`PQconninfoParse`).
    /// - Throws: `.configuration` with libpq's reason for a URL it cannot read (or that is not a URL at all);
    ///   `.unavailable` when libpq is not installed.
    public init(url: String, connectTimeout: Duration = .seconds(5), statementTimeout: Duration? = nil)
        throws(PostgresError)
    {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw PostgresError(.configuration, "A PostgreSQL database is given as a URL starting with postgresql://, "
                                + "such as postgresql://quarry:password@db.example.org:5432/quarry")
        }
        guard connectTimeout > .zero else {
            throw PostgresError(.configuration, "The time limit for connecting to PostgreSQL must be more than zero")
        }
        if let statementTimeout, statementTimeout <= .zero {
            throw PostgresError(.configuration, "The statement timeout must be more than zero (or none at all)")
        }
        switch try LibPQ.parse(url) {
        case .failure(let mistake):
            // libpq's reason may quote the URL, password and all.
            var reason = mistake.reason
            while reason.last?.isNewline == true { reason.removeLast() }
            throw PostgresError(.configuration, "The PostgreSQL URL is not valid: "
                                + reason.replacing(url, with: "the URL"))
        case .success(let parameters):
            self.parameters = parameters
        }
        self.url = url
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
    }

    /// The host (or socket folder) named, nil for libpq's default (the local socket).
    public var host: String? { parameters["host"] ?? parameters["hostaddr"] }
    /// The port named, nil for the default (5432).
    public var port: String? { parameters["port"] }
    /// The database named, nil for the default (the user's name).
    public var database: String? { parameters["dbname"] }
    /// The user named, nil for the default (the operating system's user).
    public var user: String? { parameters["user"] }

    /// Where the server is, for sentences: "127.0.0.1:5433", or "the local socket".
    public var place: String {
        let port = self.port ?? Self.defaultPort
        guard let host else { return "the local socket (port \(port))" }
        return host.hasPrefix("/") ? "the socket in \(host) (port \(port))" : "\(host):\(port)"
    }

    /// The URL with the password replaced by `•••`, rebuilt from what libpq read.
    public var description: String {
        var text = "postgresql://"
        if let user { text += user + (parameters["password"] == nil ? "" : ":•••") + "@" }
        text += host ?? ""
        if let port { text += ":\(port)" }
        text += "/" + (database ?? "")
        let options = parameters.keys.filter { !["user", "password", "host", "hostaddr", "port", "dbname"].contains($0) }
        if !options.isEmpty {
            // The client key's passphrase is as secret as the password.
            text += "?" + options.sorted().map { "\($0)=\($0 == "sslpassword" ? "•••" : parameters[$0]!)" }
                .joined(separator: "&")
        }
        return text
    }

    /// libpq's `connect_timeout` for `connectTimeout`: whole seconds, rounded up, at least 2 (libpq's own least).
    var connectTimeoutSeconds: Int64 {
        let (seconds, attoseconds) = connectTimeout.components
        return max(2, seconds + (attoseconds > 0 ? 1 : 0))
    }

    /// `statement_timeout` in whole milliseconds (at least 1; 0 would turn it off), or nil.
    var statementTimeoutMilliseconds: Int64? {
        statementTimeout.map { max(1, $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
    }
}
