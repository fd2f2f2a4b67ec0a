// A Redis configuration from a URL, in one of two forms:
//
//   redis://[[user]:password@]host[:port][/database]     host: a name, an IPv4 address or [an IPv6 address]
//   unix://[[user]:password@]/path/to/socket[?db=database]
//
// The port defaults to 6379 and the database to 0. The user and password may be percent-encoded (`%40` for `@`).
// `rediss://` (TLS) is refused: Debian's hiredis 0.14 has no TLS. Every mistake is a one-line sentence that never
// repeats the password.

/// A mistake in a Redis URL, as one sentence for the person setting Quarry up.
public struct RedisConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sentence; it never holds the password.
    public let description: String

    init(_ description: String) { self.description = description }
}

extension RedisConfiguration {
    /// The configuration `url` describes (the forms above), with the time limits given.
    public init(url: String, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(2))
        throws(RedisConfigurationError)
    {
        guard let separator = url.firstRange(of: "://") else {
            throw .init("A Redis address is a URL such as redis://127.0.0.1:6379 or unix:///run/redis/redis.sock.")
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        var rest = Substring(url[separator.upperBound...])
        var username: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            (username, password) = try Self.credentials(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        let address: RedisAddress, database: Int
        switch scheme {
        case "redis":
            guard !rest.contains("?") else {
                throw .init("A redis:// address takes no options after “?”; the database goes in the path: redis://host:6379/2.")
            }
            let path = rest.firstIndex(of: "/") ?? rest.endIndex
            address = try Self.hostAndPort(rest[..<path])
            database = try Self.database(path == rest.endIndex ? "" : rest[rest.index(after: path)...])
        case "unix":
            let query = rest.firstIndex(of: "?") ?? rest.endIndex
            let path = rest[..<query]
            guard path.hasPrefix("/"), path.count > 1 else {
                throw .init("A unix:// address names the socket's full path: unix:///run/redis/redis.sock.")
            }
            address = .unix(path: String(path))
            let options = query == rest.endIndex ? "" : rest[rest.index(after: query)...]
            guard options.isEmpty || options.hasPrefix("db=") else {
                throw .init("A unix:// address takes one option, the database: unix:///run/redis/redis.sock?db=2.")
            }
            database = try Self.database(options.dropFirst(options.isEmpty ? 0 : 3))
        case "rediss":
            throw .init("""
                rediss:// (Redis over TLS) is not supported: Debian's hiredis 0.14 has no TLS. Reach Redis over a \
                private network, a unix:// socket, or a TLS tunnel such as stunnel.
                """)
        default:
            throw .init("A Redis address starts with redis:// or unix://, not “\(scheme)://”.")
        }
        self.init(address: address, username: username, password: password, database: database,
                  connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    /// `user:password`, `:password` (no user): each percent-decoded; an empty password is none.
    private static func credentials(_ text: Substring) throws(RedisConfigurationError) -> (String?, String?) {
        guard let colon = text.firstIndex(of: ":") else {
            throw .init("Put a colon before the password in a Redis address: redis://:password@host, or redis://user:password@host.")
        }
        let user = try percentDecoded(text[..<colon], what: "user name")
        let password = try percentDecoded(text[text.index(after: colon)...], what: "password")
        return (user.isEmpty ? nil : user, password.isEmpty ? nil : password)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func hostAndPort(_ text: Substring) throws(RedisConfigurationError) -> RedisAddress {
        var host = text, portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw .init("An IPv6 address in a Redis address ends with “]”: redis://[::1]:6379.")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .init("After “]” comes “:” and the port: redis://[::1]:6379.") }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .init("A redis:// address needs a host: redis://127.0.0.1:6379.") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:".contains($0) }) else {
            throw .init("“\(host)” is not a host name or IP address.")
        }
        guard let portText else { return .tcp(host: String(host), port: RedisAddress.defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .init("The port of a Redis address is a number from 1 to 65535, not “\(portText)”.")
        }
        return .tcp(host: String(host), port: port)
    }

    /// The database number: empty is 0.
    private static func database(_ text: Substring) throws(RedisConfigurationError) -> Int {
        guard !text.isEmpty else { return 0 }
        guard text.allSatisfy(\.isASCIIDigit), let number = Int(text), number <= Int(Int32.max) else {
            throw .init("The database in a Redis address is a number such as 0 or 2, not “\(text)”.")
        }
        return number
    }

    /// `%XX` sequences as the bytes they stand for, read as UTF-8.
    private static func percentDecoded(_ text: Substring, what: String) throws(RedisConfigurationError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            let digits = utf8.prefix(2)
            guard digits.count == 2, digits.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || (0x41...0x46) ~= $0 & 0xDF }),
                  let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16) else {
                // Never the text itself: it may be the password.
                throw .init("The \(what) in a Redis address has a “%” not followed by two hexadecimal digits.")
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
