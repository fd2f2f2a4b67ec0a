// The relay's command connections: a few `RedisPublisher`s taken in turn, so answers publishing, snapshots fencing
// and answers being recorded do not queue behind one connection. Each reconnects on its own after Redis was lost;
// a command that may safely run twice is sent again once when it meets a connection that Redis closed meanwhile
// (every connection finds out so after a Redis restart), so a restart costs no publish.
internal import Locking
internal import Logging
internal import Redis

/// A few command connections to one Redis, used in turn.
final class RedisConnections: Sendable {
    private let publishers: [RedisPublisher]
    private let turn = Locked(0)

    init(configuration: RedisConfiguration, count: Int = 4) {
        publishers = (0..<max(1, count)).map { _ in RedisPublisher(configuration: configuration) }
    }

    /// One connection, for steps that belong together (a publish's gate and its frame).
    var next: RedisPublisher {
        publishers[turn.withLock { turn in
            turn = (turn + 1) % publishers.count
            return turn
        }]
    }

    /// Runs `script` (EVAL) with `keys` and `arguments` on `connection` (nil: the next); an error reply is thrown.
    /// `idempotent`: it may run twice, so a connection found closed is replaced and the script sent again.
    @discardableResult
    func run(_ script: String, keys: [[UInt8]], _ arguments: [[UInt8]], on connection: RedisPublisher? = nil,
             idempotent: Bool) throws(RedisError) -> RedisReply {
        let command = [Array("EVAL".utf8), Array(script.utf8), Array("\(keys.count)".utf8)] + keys + arguments
        return try send(command, on: connection ?? next, again: idempotent)
    }

    /// Runs one command that may run twice; an error reply is thrown.
    @discardableResult
    func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        try send(arguments, on: next, again: true)
    }

    private func send(_ command: [[UInt8]], on connection: RedisPublisher, again: Bool) throws(RedisError) -> RedisReply {
        do {
            return try connection.command(command).throwingError()
        } catch where again && error.kind == .connectionLost {
            return try connection.command(command).throwingError()
        }
    }

    /// PING on one connection: Redis is there and takes this configuration's credentials.
    func ping() throws(RedisError) {
        let reply = try command([Array("PING".utf8)])
        guard reply == .status("PONG") else {
            throw RedisError(.protocolViolation, "Redis answered PING with \(reply), not PONG")
        }
    }
}

/// What the relay's parts in Redis share: its command connections, its names in that database, its log, and the
/// streams whose pages need a fresh snapshot on every host once Redis answers.
struct RelayLink: Sendable {
    let connections: RedisConnections
    let names: RelayNames
    let logger: Logger
    let pending: PendingRefreshes
}

/// Streams whose pages, on every host, are to get a fresh snapshot once Redis answers again: frames that went to
/// this host's pages only (Redis away), or a snapshot or a read that could not be kept apart from other hosts'
/// publishes. Sent as markers through Redis, so each one reaches a host behind every frame published before it.
final class PendingRefreshes: Sendable {
    /// nil: every stream (more than `most`, or one part of the relay could not say which).
    private let streams = Locked<Set<String>?>(Set())
    /// More than this many streams are sent as one marker for every stream.
    static let most = 100

    /// Adds `stream` (nil: every stream); true when it is the first since the last were taken.
    @discardableResult
    func add(_ stream: String?) -> Bool {
        streams.withLock { streams in
            let first = streams?.isEmpty == true
            if let stream, streams != nil {
                streams!.insert(stream)
                if streams!.count > Self.most { streams = nil }
            } else {
                streams = nil
            }
            return first
        }
    }

    /// Takes what is pending: `.none` when nothing, `.some(nil)` for every stream.
    func take() -> Set<String>?? {
        streams.withLock { streams in
            guard streams?.isEmpty != true else { return .none }
            defer { streams = Set() }
            return .some(streams)
        }
    }
}
