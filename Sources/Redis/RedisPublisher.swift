// Commands from any thread over one connection: what a broadcaster needs to publish while Redis may come and go.
//
// One `RedisConnection` behind a lock, made when first needed and made again after it broke. A call never waits for
// a Redis that is known to be down: after a failed connection the next attempt waits out a backoff (the subscriber's
// `Backoff`: 0.1 s doubling to 5 s), and calls in the meantime throw at once, saying when the next attempt is. A
// command that meets a lost connection is not sent again (it may have run): it throws, and the next call connects
// afresh.
internal import Locking

/// Publishes and runs commands on Redis from any thread, connecting again after Redis was lost.
public final class RedisPublisher: Sendable {
    /// Where the publisher stands, for health checks and tests.
    public enum State: Sendable, Equatable {
        /// No connection yet, or the last one broke and no call has come since.
        case idle
        /// Connected; the last command succeeded or failed without breaking the connection.
        case connected
        /// The last connection attempt failed; none is made before the backoff has passed.
        case waitingToReconnect(delay: Duration)
    }

    /// What only the calls holding the lock touch.
    private struct Shared {
        var connection: RedisConnection?
        /// The last failure to connect, and when the next attempt may be made.
        var failure: (error: RedisError, retryAt: ContinuousClock.Instant, delay: Duration)?
    }

    /// The Redis it publishes to.
    public let configuration: RedisConfiguration
    /// The waits between connection attempts after failures.
    public let backoff: RedisSubscriber.Backoff
    // The connection is used under the lock only, by one caller at a time (hiredis's rule, Raw.swift).
    private let shared = Locked(Shared())

    /// A publisher to the Redis `configuration` names; it connects at its first call.
    public init(configuration: RedisConfiguration, backoff: RedisSubscriber.Backoff = .init()) {
        self.configuration = configuration
        self.backoff = backoff
    }

    /// Where it stands now.
    public var state: State {
        shared.withLock { shared in
            if shared.connection != nil { return .connected }
            if let failure = shared.failure { return .waitingToReconnect(delay: failure.delay) }
            return .idle
        }
    }

    /// Runs one command (binary-safe arguments) and returns its reply; an error reply is returned, not thrown.
    /// Throws when Redis cannot be reached (at once while a backoff runs) or the connection is lost during the
    /// command; the next call connects again.
    public func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        try withConnection { connection throws(RedisError) in try connection.command(arguments) }
    }

    /// PUBLISH `payload` on `channel`; returns how many subscribers Redis handed it to. A payload over the
    /// configuration's `maxPayloadBytes` throws `.tooLarge` and nothing is sent (the connection stays).
    @discardableResult
    public func publish(channel: String, _ payload: [UInt8]) throws(RedisError) -> Int {
        try withConnection { connection throws(RedisError) in try connection.publish(channel: channel, payload) }
    }

    private func withConnection<T>(_ body: (RedisConnection) throws(RedisError) -> T) throws(RedisError) -> T {
        let outcome: Result<T, RedisError> = shared.withLock { shared in
            let connection: RedisConnection
            if let current = shared.connection {
                connection = current
            } else {
                let now = ContinuousClock.now
                if let failure = shared.failure, now < failure.retryAt {
                    let wait = failure.retryAt - now
                    return .failure(RedisError(failure.error.kind, """
                        \(failure.error.description) (the next attempt in \(Self.seconds(wait)))
                        """))
                }
                do throws(RedisError) {
                    connection = try RedisConnection(configuration)
                } catch {
                    let delay = shared.failure.map { min($0.delay * 2, backoff.limit) } ?? backoff.first
                    shared.failure = (error, now + delay, delay)
                    return .failure(error)
                }
                shared.connection = connection
                shared.failure = nil
            }
            do throws(RedisError) {
                return .success(try body(connection))
            } catch {
                if connection.isBroken { shared.connection = nil }
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// "0.4 s": a wait for a message.
    private static func seconds(_ duration: Duration) -> String {
        let tenths = (duration.components.seconds * 10) + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
