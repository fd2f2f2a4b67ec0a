// Which pages may open the socket. Browsers always send Origin on a WebSocket handshake, so checking it stops
// another site's page from using a visitor's session (cross-site WebSocket hijacking).
internal import TextLines

/// Decides whether a handshake's `Origin` may open the socket.
struct OriginPolicy: Sendable {
    /// Origins allowed besides this host's own, lower-cased, without a trailing slash.
    let allowed: Set<String>

    init(allowedOrigins: [String]) {
        allowed = Set(allowedOrigins.map { Self.normalized($0) })
    }

    /// Whether a handshake with these headers is allowed. No `Origin` means no browser is involved (a script or a
    /// test), which cannot ride on a visitor's cookies, so it is allowed; `null` is not.
    func allows(origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        let normalized = Self.normalized(origin)
        if allowed.contains(normalized) { return true }
        guard let host, let schemeEnd = normalized.firstRange(of: "://") else { return false }
        let scheme = normalized[..<schemeEnd.lowerBound]
        guard scheme == "http" || scheme == "https" else { return false }
        return normalized[schemeEnd.upperBound...] == host.lowercased()
    }

    private static func normalized(_ origin: String) -> String {
        var value = origin.trimmingBlanks.lowercased()
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }
}
