// What can go wrong talking to Redis, as one sentence a person can read ("Redis at 127.0.0.1:6390 refused the
// connection", "Redis said: NOAUTH Authentication required.") and a kind a caller can match on.

/// A failure of libhiredis, of the connection, or an error reply from Redis.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, for `catch let error as RedisError where error.kind == .refused`.
    public enum Kind: Sendable, Equatable {
        /// libhiredis could not be loaded (`dlopen`), or lacks a function.
        case unavailable
        /// Nothing accepted the connection (refused, no such socket, a name that does not resolve).
        case refused
        /// Connecting, or a reply, took longer than the configuration allows.
        case timedOut
        /// The connection broke: the server closed it or the network failed. The connection cannot be used again.
        case connectionLost
        /// AUTH was refused (wrong password or user, or a password given to a server that has none).
        case authenticationFailed
        /// Redis answered with an error reply (`-ERR …`, `-NOAUTH …`, `-WRONGTYPE …`).
        case server
        /// Redis sent bytes that are not its protocol.
        case protocolViolation
        /// A payload larger than `RedisConfiguration.maxPayloadBytes`; nothing was sent.
        case tooLarge
    }

    /// What kind of failure.
    public let kind: Kind
    /// The sentence, for the log and for the person setting Quarry up. Never holds a password.
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// An error reply's text as an error of `kind` (`.server` unless said).
    static func said(_ message: String, kind: Kind = .server) -> RedisError {
        RedisError(kind, "Redis said: \(message)")
    }
}
