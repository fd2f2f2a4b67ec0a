// What `quarry serve` runs with: each value from its flag, else its environment variable, else its default.
//
// | variable                 | flag                | default     |
// | ------------------------ | ------------------- | ----------- |
// | QUARRY_HOST              | --host              | 127.0.0.1   |
// | QUARRY_PORT              | --port              | 8080        |
// | QUARRY_DB                | --db                | ./quarry.db (a file, or a postgresql:// URL: docs/many-hosts.md) |
// | QUARRY_REDIS             | --redis             | none (redis://… or unix://…: broadcasts across hosts, docs/many-hosts.md) |
// | QUARRY_DOCS              | --docs              | none        |
// | QUARRY_LOG_LEVEL         | --log-level         | info        |
// | QUARRY_ALLOWED_ORIGINS   | --allowed-origin    | none (same host only) |
// | QUARRY_MAX_CONNECTIONS   | --max-connections   | 10000       |
// | QUARRY_LANGUAGE          | --language          | auto (each browser's Accept-Language; English when none of ours) |
// | QUARRY_KIOSK             | --kiosk             | no (yes: kiosk mode for a shared screen, docs/deploy.md "Kiosk") |
// | QUARRY_KIOSK_IDLE        | (environment only)  | 120 (kiosk: seconds without a touch before a visitor's conversation is cleared) |
// | QUARRY_AUTH              | --auth              | none (proxy: a trusted proxy names the person; password: built-in accounts; ldap: a bind against LDAP or Active Directory; docs/access.md) |
// | QUARRY_AUTH_PROXY_USER_HEADER | (environment only) | X-Forwarded-User (proxy: the header naming the person) |
// | QUARRY_AUTH_PROXY_GROUPS_HEADER | (environment only) | X-Forwarded-Groups (proxy: the header listing their groups, comma-separated) |
// | QUARRY_AUTH_PROXY_ADMIN_GROUP | (environment only) | none (proxy: members of this group are admins) |
// | QUARRY_LDAP_URL          | (environment only)  | required with ldap (ldap:// or ldaps:// URLs, space-separated, tried in turn) |
// | QUARRY_LDAP_STARTTLS     | (environment only)  | no (ldap: yes upgrades an ldap:// connection with StartTLS) |
// | QUARRY_LDAP_CA_FILE      | (environment only)  | the system's certificates (ldap: PEM certificates that sign the directory's) |
// | QUARRY_LDAP_USER_DN      | (environment only)  | none (ldap: a DN template such as uid={name},ou=people,dc=example,dc=org, bound at once) |
// | QUARRY_LDAP_BASE         | (environment only)  | none (ldap: search for the person under this DN instead, then bind as the entry found) |
// | QUARRY_LDAP_USER_FILTER  | (environment only)  | (uid={name}) (ldap: the search's filter; Active Directory: (sAMAccountName={name})) |
// | QUARRY_LDAP_BIND_DN      | (environment only)  | none: anonymous (ldap: the service account that searches and reads the admin group) |
// | QUARRY_LDAP_BIND_PASSWORD | (environment only) | none (ldap: its password) |
// | QUARRY_LDAP_BIND_PASSWORD_FILE | (environment only) | none (ldap: a file holding its password, instead) |
// | QUARRY_LDAP_ADMIN_GROUP  | (environment only)  | none (ldap: the DN of the group whose members are admins: member, uniqueMember or memberUid) |
// | QUARRY_LDAP_TIMEOUT      | (environment only)  | 5 (ldap: seconds to connect, and for each answer of the directory) |
// | QUARRY_MAX_CONNECTIONS_PER_PEER | (environment only) | 64 (sockets from one address) |
// | QUARRY_SUBSCRIBE_GRACE   | (environment only)  | 20 (seconds a socket may follow nothing) |
// | QUARRY_HEADER_DEADLINE   | (environment only)  | 5 (seconds to send a request's headers) |
// | QUARRY_MAX_PENDING_HEADERS_PER_PEER | (environment only) | 64 (connections from one address still sending headers) |
// | QUARRY_MAX_PARTIAL_BYTES_PER_PEER | (environment only) | 4194304 (half-received message bytes of one address) |
// | QUARRY_MAX_PARTIAL_BYTES | (environment only) | 33554432 (half-received message bytes, server-wide) |
// | QUARRY_TRUSTED_PROXIES   | (environment only)  | none (comma-separated proxy addresses whose X-Forwarded-For and X-Forwarded-Proto are believed) |
// | QUARRY_METRICS_ALLOW     | (environment only)  | 127.0.0.0/8, ::1 (addresses and networks that may read /metrics; off: no /metrics) |
// | QUARRY_SNAPSHOT_EXCHANGES | (environment only) | 20 (exchanges a thread opens at, and per "Show earlier messages") |
// | QUARRY_SNAPSHOTS_PER_SOCKET | (environment only) | 4 (snapshots one socket may have waiting at once) |
// | QUARRY_SNAPSHOT_BYTES_PER_MESSAGE | (environment only) | 65536 (snapshot bytes that cost a socket one message of its allowance) |
// | QUARRY_SECRET            | (environment only)  | generated once, kept in the database |
// | QUARRY_DOCS_RESCAN       | (environment only)  | 5 (seconds between looks at the documents folder) |
// | QUARRY_HOST_NAME, QUARRY_LEASE | (environment only) | local, 30 (Leases.swift) |
import LDAP
import Logging
import Redis
import Server
import Store
import TextLines
import Words
#if canImport(Glibc)
import Glibc
#endif

/// The process environment, read once.
struct Environment {
    let values: [String: String]

    static var current: Environment {
        var values: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                values[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return Environment(values: values)
    }

    subscript(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }
}

/// The settings of one `quarry serve`.
struct ServeSettings {
    var server: ServerConfiguration
    /// How much of a thread a snapshot holds, and how many one socket may have waiting.
    var hub: HubConfiguration
    /// `--db` or QUARRY_DB read: a SQLite file or a PostgreSQL URL.
    var databaseLocation: DatabaseLocation
    /// The name this host's answers are recorded under, and their lease (Leases.swift).
    var jobHost: JobHost
    /// `--redis` or QUARRY_REDIS: the Redis every host's broadcasts go through; nil: this host's Hub alone.
    var redis: RedisConfiguration?
    var documents: DocumentFolder?
    var logLevel: Logger.Level
    var secret: String?
    /// How often the documents folder is looked at again for changes.
    var rescanInterval: Duration
    /// The model, embeddings and the chat's limits.
    var answering: ChatSettings
    /// The directory people sign in against (`--auth ldap`; nil in the other modes). Its keys and their checks are
    /// in Sources/LDAP/DirectoryConfiguration+Environment.swift.
    var directory: DirectoryConfiguration?

    /// The host as a person would type it in a browser.
    var displayHost: String {
        switch server.host {
        case nil, "0.0.0.0", "::": "127.0.0.1"
        case let host?: host.contains(":") ? "[\(host)]" : host
        }
    }

    init(options: ServeOptions, environment: Environment) throws(UsageError) {
        func number(_ flag: String?, _ option: String, _ key: String, default value: Int, range: ClosedRange<Int>)
            throws(UsageError) -> Int
        {
            let (text, source) = flag.map { ($0, "--\(option)") } ?? environment[key].map { ($0, key) } ?? ("\(value)", "")
            guard let number = Int(text) else {
                throw UsageError(message: "\(source) must be a whole number, not “\(text)”.")
            }
            guard range.contains(number) else {
                throw UsageError(message: "\(source) must be between \(range.lowerBound) and \(range.upperBound), not \(number).")
            }
            return number
        }
        let levelName = options.logLevel ?? environment["QUARRY_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw UsageError(message: "Log level “\(levelName)” is not one of trace, debug, info, notice, warning, error, critical.")
        }
        logLevel = level
        var origins = options.allowedOrigins
        if origins.isEmpty, let list = environment["QUARRY_ALLOWED_ORIGINS"] {
            origins = list.split(separator: ",").map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        }
        for origin in origins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
            throw UsageError(message: "Allowed origin “\(origin)” must start with http:// or https://.")
        }
        let host = options.host ?? environment["QUARRY_HOST"] ?? "127.0.0.1"
        guard !host.isEmpty, !host.contains(" ") else {
            throw UsageError(message: "--host needs an address such as 127.0.0.1, or 0.0.0.0 for every interface.")
        }
        let proxies = environment["QUARRY_TRUSTED_PROXIES"].map {
            $0.split(separator: ",").map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        } ?? []
        for proxy in proxies where !proxy.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) {
            throw UsageError(message: "QUARRY_TRUSTED_PROXIES takes addresses such as 127.0.0.1 or ::1, not “\(proxy)”.")
        }
        server = ServerConfiguration(
            host: host,
            port: try number(options.port, "port", "QUARRY_PORT", default: 8080, range: 0...65535),
            allowedOrigins: origins,
            maxConnections: try number(options.maxConnections, "max-connections", "QUARRY_MAX_CONNECTIONS",
                                       default: 10_000, range: 1...1_000_000),
            maxConnectionsPerPeer: try number(nil, "", "QUARRY_MAX_CONNECTIONS_PER_PEER", default: 64,
                                              range: 1...1_000_000),
            subscribeGraceSeconds: try number(nil, "", "QUARRY_SUBSCRIBE_GRACE", default: 20, range: 1...3600),
            headerDeadlineSeconds: try number(nil, "", "QUARRY_HEADER_DEADLINE", default: 5, range: 1...120),
            maxPendingHeadersPerPeer: try number(nil, "", "QUARRY_MAX_PENDING_HEADERS_PER_PEER", default: 64,
                                                 range: 1...100_000),
            trustedProxies: proxies,
            maxPartialBytesTotal: try number(nil, "", "QUARRY_MAX_PARTIAL_BYTES", default: 32 * 1024 * 1024,
                                             range: 64 * 1024...16 * 1024 * 1024 * 1024),
            maxPartialBytesPerPeer: try number(nil, "", "QUARRY_MAX_PARTIAL_BYTES_PER_PEER", default: 4 * 1024 * 1024,
                                               range: 64 * 1024...1024 * 1024 * 1024))
        do {
            server.metricsAccess = try environment["QUARRY_METRICS_ALLOW"].map { text throws(MetricsAccess.ParseError) in
                try MetricsAccess(parsing: text)
            } ?? .loopback
        } catch {
            throw UsageError(message: error.description)
        }
        let languageName = options.language ?? environment["QUARRY_LANGUAGE"] ?? "auto"
        if languageName != "auto" {
            guard let language = Language(languageName) else {
                let codes = Language.all.map(\.code).joined(separator: ", ")
                throw UsageError(message: "--language must be auto or one of \(codes), not “\(languageName)”.")
            }
            server.language = language
        }
        let kioskText = (options.kiosk ?? environment["QUARRY_KIOSK"] ?? "no").lowercased()
        let kioskSource = options.kiosk == nil ? "QUARRY_KIOSK" : "--kiosk"
        switch kioskText {
        case "yes", "true", "1", "on":
            server.kiosk = KioskTiming(idleSeconds: try number(nil, "", "QUARRY_KIOSK_IDLE", default: 120,
                                                               range: 10...86_400))
        case "no", "false", "0", "off": break
        default: throw UsageError(message: "\(kioskSource) must be yes or no, not “\(kioskText)”.")
        }
        server.access = try Self.access(options.auth, environment: environment, server: server)
        if server.access.mode == .ldap {
            do {
                directory = try DirectoryConfiguration.fromEnvironment(environment.values)
            } catch {
                throw UsageError(message: error.description)
            }
        }
        hub = HubConfiguration(
            snapshotItems: try number(nil, "", "QUARRY_SNAPSHOT_EXCHANGES", default: 20, range: 1...1000),
            snapshotsInFlightPerConnection: try number(nil, "", "QUARRY_SNAPSHOTS_PER_SOCKET", default: 4, range: 1...64),
            snapshotBytesPerMessage: try number(nil, "", "QUARRY_SNAPSHOT_BYTES_PER_MESSAGE", default: 64 * 1024,
                                                range: 1024...1024 * 1024 * 1024))
        do { databaseLocation = try DatabaseLocation(options.db ?? environment["QUARRY_DB"] ?? "./quarry.db") } catch {
            throw UsageError(message: "\(options.db == nil ? "QUARRY_DB" : "--db"): \(error.description)")
        }
        // With a shared database every host needs a name of its own: by default this machine's and the port.
        let port = server.port
        self.jobHost = try JobHost(environment: environment,
                                   defaultName: databaseLocation.isShared ? JobHost.machineName(port: port) : "local")
        if let url = options.redis ?? environment["QUARRY_REDIS"] {
            do { redis = try RedisConfiguration(url: url) } catch {
                throw UsageError(message: "\(options.redis == nil ? "QUARRY_REDIS" : "--redis"): \(error.description)")
            }
            guard databaseLocation.isShared else {
                throw UsageError(message: """
                    Broadcasts through Redis are for several hosts sharing one PostgreSQL database: give --db \
                    postgresql://… as well (docs/many-hosts.md), or leave --redis out.
                    """)
            }
        }
        documents = try (options.docs ?? environment["QUARRY_DOCS"]).map(DocumentFolder.init(path:))
        secret = environment["QUARRY_SECRET"]
        let rescan = environment["QUARRY_DOCS_RESCAN"] ?? "5"
        guard let seconds = Double(rescan), seconds >= 0.1, seconds <= 86_400 else {
            throw UsageError(message: "QUARRY_DOCS_RESCAN must be a number of seconds, not “\(rescan)”.")
        }
        rescanInterval = .milliseconds(Int64(seconds * 1000))
        answering = try ChatSettings(options: options.chat, environment: environment)
    }
}

extension ServeSettings {
    /// `--auth` and its settings, checked against the rest of the server's.
    static func access(_ flag: String?, environment: Environment, server: ServerConfiguration)
        throws(UsageError) -> AccessConfiguration
    {
        let text = (flag ?? environment["QUARRY_AUTH"] ?? "none").lowercased()
        let source = flag == nil ? "QUARRY_AUTH" : "--auth"
        guard let mode = AuthMode(rawValue: text) else {
            throw UsageError(message: "\(source) must be none, proxy, password or ldap, not “\(text)”.")
        }
        if mode != .none, server.kiosk != nil {
            throw UsageError(message: "A kiosk serves passers-by: \(source) \(text) and --kiosk cannot go together.")
        }
        var proxy = ProxyHeaders()
        if mode == .proxy {
            guard !server.trustedProxies.isEmpty else {
                throw UsageError(message: """
                    --auth proxy believes the proxy's headers only from its addresses: set QUARRY_TRUSTED_PROXIES to \
                    them (such as 127.0.0.1 when the proxy runs on this machine).
                    """)
            }
            for key in ["QUARRY_AUTH_PROXY_USER_HEADER", "QUARRY_AUTH_PROXY_GROUPS_HEADER"] {
                if let name = environment[key], !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                    throw UsageError(message: "\(key) takes a header name such as X-Forwarded-User, not “\(name)”.")
                }
            }
            proxy.user = environment["QUARRY_AUTH_PROXY_USER_HEADER"] ?? proxy.user
            proxy.groups = environment["QUARRY_AUTH_PROXY_GROUPS_HEADER"] ?? proxy.groups
            proxy.adminGroup = environment["QUARRY_AUTH_PROXY_ADMIN_GROUP"]
        }
        return AccessConfiguration(mode: mode, proxy: proxy)
    }
}

/// The folder of documents, checked to exist.
struct DocumentFolder {
    let path: String
    let fileCount: Int

    init(path: String) throws(UsageError) {
        guard let dir = opendir(path) else {
            throw UsageError(message: "The documents folder “\(path)” does not exist or cannot be read.")
        }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_type == UInt8(DT_REG) { count += 1 }
        }
        self.path = path
        fileCount = count
    }
}
