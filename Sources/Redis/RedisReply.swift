// A reply of Redis' protocol (RESP2, what hiredis 0.14 reads), copied out of hiredis's tree.

/// One reply: what a command returned, or one message a subscription received.
public enum RedisReply: Sendable, Equatable {
    /// A status reply (`+OK`, `+PONG`).
    case status(String)
    /// An error reply (`-ERR …`); `RedisConnection.command` returns it, the convenience calls throw it.
    case error(String)
    /// An integer reply (`:3`).
    case integer(Int64)
    /// A bulk string, binary-safe (`$5\r\nhello`).
    case bulk([UInt8])
    /// An array of replies (`*2…`).
    case array([RedisReply])
    /// The nil bulk string or nil array (`$-1`, `*-1`): Redis' "nothing".
    case null

    /// A bulk or status reply's bytes as text (UTF-8, invalid bytes replaced); nil for the other kinds.
    public var text: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The reply itself, or `RedisError` of kind `.server` for an error reply ("Redis said: …").
    public func throwingError() throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw RedisError.said(message) }
        return self
    }
}
