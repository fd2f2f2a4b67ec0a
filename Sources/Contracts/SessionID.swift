// A browser session's id, which the socket's clients and the reading pages carry. The server makes them and reads
// them from its signed cookie (Server's Sessions.swift); everyone else only compares them.

/// A browser session's id: 16 random bytes, base64url.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    /// The id as it appears in the cookie.
    public let rawValue: String
    /// The id's text.
    public var description: String { rawValue }

    package init(rawValue: String) { self.rawValue = rawValue }
}
