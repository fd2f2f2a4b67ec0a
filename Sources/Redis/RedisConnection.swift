// One connection to Redis for commands: connect within the time limit, AUTH and SELECT when the configuration says,
// then one command at a time, each waiting for its reply within the command timeout.

/// A blocking connection to Redis for commands (PUBLISH, PING, anything): one owner at a time, not `Sendable`
/// (hiredis's threading rule, Raw.swift). Once a call throws `.connectionLost`, `.timedOut` or
/// `.protocolViolation`, the connection is broken for good (`isBroken`): make a new one.
public final class RedisConnection {
    /// The Redis it is connected to, and how.
    public let configuration: RedisConfiguration
    let raw: RawConnection
    /// Whether an earlier failure left the connection unusable.
    public private(set) var isBroken = false

    /// Connects, sets the read and write timeouts, and sends AUTH and SELECT when the configuration has a password
    /// or a database other than 0. A refused AUTH throws `.authenticationFailed` ("Redis said: WRONGPASS …").
    public init(_ configuration: RedisConfiguration) throws(RedisError) {
        self.configuration = configuration
        raw = try RawConnection(address: configuration.address, timeout: configuration.connectTimeout)
        try raw.setTimeout(configuration.commandTimeout)
        if let password = configuration.password {
            let user = configuration.username.map { [Array($0.utf8)] } ?? []
            if case .error(let message) = try raw.command([Array("AUTH".utf8)] + user + [Array(password.utf8)]) {
                throw RedisError.said(message, kind: .authenticationFailed)
            }
        }
        if configuration.database != 0 {
            _ = try raw.command(["SELECT", "\(configuration.database)"].map { Array($0.utf8) }).throwingError()
        }
    }

    /// Sends one command, its arguments as bytes (binary-safe), and returns the reply; an error reply is returned
    /// as `.error`, not thrown. A broken connection throws `.connectionLost` without sending anything.
    public func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        precondition(!arguments.isEmpty, "a command has a name")
        guard !isBroken else {
            throw RedisError(.connectionLost, "The connection to Redis at \(configuration.address) was lost earlier")
        }
        do { return try raw.command(arguments) } catch {
            isBroken = true
            throw error
        }
    }

    /// `command` with text arguments: `command("SET", "key", "value")`.
    public func command(_ arguments: String...) throws(RedisError) -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// PUBLISH `payload` on `channel`; returns how many subscribers Redis handed it to (on this Redis, or in a
    /// cluster this node). A payload over `maxPayloadBytes` throws `.tooLarge` and nothing is sent.
    @discardableResult
    public func publish(channel: String, _ payload: [UInt8]) throws(RedisError) -> Int {
        guard payload.count <= configuration.maxPayloadBytes else {
            throw RedisError(.tooLarge, """
                A message of \(payload.count) bytes is over the limit of \(configuration.maxPayloadBytes) for \
                channel \(channel); it was not published
                """)
        }
        let reply = try command([Array("PUBLISH".utf8), Array(channel.utf8), payload]).throwingError()
        guard case .integer(let receivers) = reply else {
            throw RedisError(.protocolViolation, "Redis answered PUBLISH with \(reply), not a number")
        }
        return Int(receivers)
    }

    /// PING, answered PONG: the server is there and accepts this connection's commands.
    public func ping() throws(RedisError) {
        let reply = try command("PING").throwingError()
        guard reply == .status("PONG") else {
            throw RedisError(.protocolViolation, "Redis answered PING with \(reply), not PONG")
        }
    }
}
