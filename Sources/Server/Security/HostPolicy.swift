// Which names the server answers to. Checking the Host header defeats DNS rebinding: a hostile site whose name
// suddenly resolves to this server's address still sends its own name as Host, so its pages get nothing.
internal import Contracts
internal import TextLines

/// Decides whether a request's `Host` names this server.
struct HostPolicy: Sendable {
    /// Names allowed besides IP literals and localhost: the machine's own name (and `<name>.local`), and the
    /// hosts of the configured allowed origins. Lower-cased, without port.
    let names: Set<String>

    init(allowedOrigins: [String], machineName: String?) {
        var names: Set<String> = ["localhost"]
        if let machineName, !machineName.isEmpty {
            names.insert(machineName.lowercased())
            names.insert(machineName.lowercased() + ".local")
        }
        for origin in allowedOrigins {
            guard let schemeEnd = origin.firstRange(of: "://") else { continue }
            let authority = origin[schemeEnd.upperBound...].prefix(while: { $0 != "/" })
            names.insert(Self.name(of: String(authority)))
        }
        self.names = names
    }

    /// Whether `host` (a Host header: name or address, with an optional port) names this server. A request
    /// without Host (HTTP/1.0) comes from no browser and is allowed.
    func allows(host: String?) -> Bool {
        guard let host else { return true }
        let name = Self.name(of: host)
        return names.contains(name) || Self.isIPLiteral(name)
    }

    /// The name part of an authority, lower-cased: `[::1]:8080` → `[::1]`, `Example.org:80` → `example.org`.
    static func name(of authority: String) -> String {
        let lowered = authority.trimmingBlanks.lowercased()
        if lowered.hasPrefix("["), let close = lowered.firstIndex(of: "]") {
            return String(lowered[...close])
        }
        return String(lowered.prefix(while: { $0 != ":" }))
    }

    /// Dotted-quad IPv4, or a bracketed IPv6 address.
    static func isIPLiteral(_ name: String) -> Bool {
        if name.hasPrefix("[") && name.hasSuffix("]") {
            let inner = name.dropFirst().dropLast()
            return !inner.isEmpty && inner.contains(":")
                && inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && Int(part).map { $0 <= 255 } == true
        }
    }
}

/// Who may follow which stream, beyond holding its signed name: a stream under `session/<id>` belongs to that
/// browser session (or signed-in person) alone, so a name copied out of one browser does nothing in another; a
/// stream under `admin/` is for admins' sockets only.
enum StreamAccess {
    static func allows(_ stream: String, session: SessionID?, isAdmin: Bool = false) -> Bool {
        if stream.hasPrefix(AdminAddress.streamPrefix) { return isAdmin }
        guard stream.hasPrefix("session/") else { return true }
        let owner = stream.dropFirst("session/".count).prefix(while: { $0 != "/" })
        return session?.rawValue == String(owner)
    }
}
