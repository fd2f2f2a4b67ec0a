// A subscriber: one connection in Redis' subscribed mode, on a thread of its own (`run()`), handing each message to a
// closure, and keeping its subscriptions through a Redis restart or a killed connection.
//
// Guarantees, and what is not guaranteed:
// - Messages of one channel arrive in the order Redis sent them, on the run thread, one at a time.
// - While connected, nothing is lost: Redis pushes every message of a subscribed channel to this connection.
// - A dropped connection (Redis restarted, `CLIENT KILL`, a network failure, a PING unanswered within the command
//   timeout) is `Event.lost`, once per outage; messages published until the next `Event.resubscribed` are gone
//   (Redis pub/sub keeps nothing). `.resubscribed` comes after Redis has confirmed every subscription again, so a
//   snapshot taken in its handler meets the live messages without a gap (a caller with sequence numbers drops the
//   duplicates).
// - `subscribe` and `unsubscribe` may be called from any thread, before or during `run()`; `.subscribed(s)` says when
//   Redis confirmed one. A message or two of a channel may still arrive between `unsubscribe` and `.unsubscribed`.
// - The handlers run on the run thread: they must return quickly (hand the work on), and must not call `run()`.
//
// State has one owner each: what the caller wants (`Shared.wanted`, behind a lock, written by any thread) and what the
// connection has (the run thread's locals in RedisSubscriber+Loop.swift).
internal import Locking

/// Subscribes to channels and patterns on one Redis and delivers their messages; reconnects with backoff.
public final class RedisSubscriber: Sendable {
    /// A channel by its exact name (SUBSCRIBE), or a glob pattern of names (PSUBSCRIBE: `stream:*`).
    public enum Subscription: Sendable, Hashable {
        /// One channel, by its exact name.
        case channel(String)
        /// Every channel whose name matches the glob (`*`, `?`, `[…]`).
        case pattern(String)
    }

    /// One message published on a subscribed channel.
    public struct Message: Sendable, Equatable {
        /// The channel it was published on (its bytes as UTF-8).
        public let channel: String
        /// The pattern that matched the channel, for a pattern subscription.
        public let pattern: String?
        /// The bytes published, exactly.
        public let payload: [UInt8]

        /// A message as the subscriber delivers it (for tests and stand-ins).
        public init(channel: String, pattern: String? = nil, payload: [UInt8]) {
            self.channel = channel
            self.pattern = pattern
            self.payload = payload
        }
    }

    /// What happened to the connection or the subscriptions.
    public enum Event: Sendable, Equatable {
        /// Redis confirmed a subscription: its messages arrive from now on.
        case subscribed(Subscription)
        /// Redis confirmed an unsubscription: no more of its messages.
        case unsubscribed(Subscription)
        /// The connection dropped or could not be made (the error says why); messages may be missed from now until
        /// `.resubscribed`. Said once per outage, however many reconnection attempts fail.
        case lost(RedisError)
        /// Connected again after `.lost`, and every subscription confirmed: re-read what may have been missed.
        case resubscribed
    }

    /// Where the subscriber is in its life.
    public enum State: Sendable, Equatable {
        /// `run()` not called yet.
        case idle
        /// Connecting, sending AUTH and the subscriptions.
        case connecting
        /// Connected, waiting for messages.
        case connected
        /// The connection dropped; waiting `delay` before the next attempt.
        case waitingToReconnect(delay: Duration)
        /// `stop()` was called; `run()` has returned or is about to.
        case stopped
    }

    /// How long to wait between reconnection attempts: `first`, doubling after each failure, at most `limit`.
    public struct Backoff: Sendable, Equatable {
        /// The wait after the first failure.
        public var first: Duration
        /// The longest wait.
        public var limit: Duration

        /// 0.1 s doubling to 5 s unless told otherwise.
        public init(first: Duration = .milliseconds(100), limit: Duration = .seconds(5)) {
            self.first = first
            self.limit = limit
        }
    }

    /// What callers change and the run thread reads.
    struct Shared {
        var state = State.idle
        var wanted: Set<Subscription> = []
        var stopRequested = false
    }

    /// The Redis it subscribes on.
    public let configuration: RedisConfiguration
    /// The waits between reconnection attempts.
    public let backoff: Backoff
    /// How long a quiet connection goes before a PING checks it (answered within `commandTimeout`, or it is lost).
    public let healthCheckInterval: Duration
    let shared = Locked(Shared())
    let wakeup = Wakeup()
    let onMessage: @Sendable (Message) -> Void
    let onEvent: @Sendable (Event) -> Void

    /// A subscriber to the Redis `configuration` names; nothing happens until `run()`.
    public init(configuration: RedisConfiguration, backoff: Backoff = Backoff(),
                healthCheckInterval: Duration = .seconds(15),
                onMessage: @escaping @Sendable (Message) -> Void,
                onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.configuration = configuration
        self.backoff = backoff
        self.healthCheckInterval = healthCheckInterval
        self.onMessage = onMessage
        self.onEvent = onEvent
    }

    /// Where the subscriber is now.
    public var state: State { shared.current.state }

    /// Adds subscriptions; the run thread sends them at once (or when it next connects). Thread-safe.
    public func subscribe(_ subscriptions: [Subscription]) {
        shared.withLock { $0.wanted.formUnion(subscriptions) }
        wakeup.signal()
    }

    /// Removes subscriptions; the run thread sends them at once. Thread-safe.
    public func unsubscribe(_ subscriptions: [Subscription]) {
        shared.withLock { $0.wanted.subtract(subscriptions) }
        wakeup.signal()
    }

    /// Ends `run()`: promptly, unless it is in the middle of connecting (at most `connectTimeout`) or of writing a
    /// command (at most `commandTimeout`). Thread-safe; a subscriber that was stopped does not run again.
    public func stop() {
        shared.withLock { $0.stopRequested = true }
        wakeup.signal()
    }
}
