// Which Redis to talk to and how: its address, the credentials AUTH sends, the database SELECT picks, the time limits,
// and the largest payload a publish may carry. Parsed from a URL in RedisConfiguration+URL.swift.

/// Where a Redis listens.
public enum RedisAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address and a TCP port.
    case tcp(host: String, port: Int)
    /// A unix socket's path.
    case unix(path: String)

    /// The port Redis listens on unless told otherwise.
    public static let defaultPort = 6379

    /// `127.0.0.1:6379`, `[::1]:6379` or `/run/redis/redis.sock`: how errors name the server.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }
}

/// How to reach one Redis (`--redis redis://…`). Its description is the URL with the password replaced by `***`.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Where the server listens.
    public var address: RedisAddress
    /// The ACL user AUTH names (Redis 6 and later); nil: the default user.
    public var username: String?
    /// The password AUTH sends; nil: no AUTH.
    public var password: String?
    /// The database SELECT picks (0: no SELECT). Pub/sub channels are the same in every database.
    public var database: Int
    /// The longest connecting may take.
    public var connectTimeout: Duration
    /// The longest any one reply, or writing one command, may take.
    public var commandTimeout: Duration
    /// The largest payload `publish` sends; a larger one throws `.tooLarge` and nothing is sent. Redis cuts off a
    /// subscriber whose unread output passes 32 MiB (`client-output-buffer-limit pubsub`), so keep this well below.
    public var maxPayloadBytes: Int

    /// 4 MiB: a whole answer's envelopes are far smaller; Redis' own bulk limit is 512 MiB.
    public static let defaultMaxPayloadBytes = 4 << 20

    /// A configuration from its parts; `init(url:)` reads one from a URL.
    public init(address: RedisAddress, username: String? = nil, password: String? = nil, database: Int = 0,
                connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(2),
                maxPayloadBytes: Int = defaultMaxPayloadBytes) {
        self.address = address
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// The URL, with `***` for the password: `redis://quarry:***@10.0.0.5:6379/2`, `unix://:***@/run/redis.sock?db=2`.
    public var description: String {
        var credentials = username ?? ""
        if password != nil { credentials += ":***" }
        if !credentials.isEmpty { credentials += "@" }
        switch address {
        case .tcp:
            return "redis://\(credentials)\(address)\(database == 0 ? "" : "/\(database)")"
        case .unix(let path):
            return "unix://\(credentials)\(path)\(database == 0 ? "" : "?db=\(database)")"
        }
    }

    /// The same as `description`: the password redacted, whatever prints the configuration.
    public var debugDescription: String { description }
}
