import Locking
import Redis
import TestSupport

/// A `RedisSubscriber` running on a thread of its own, recording what it delivers; stopped (and its thread awaited)
/// when released.
final class RunningSubscriber {
    let subscriber: RedisSubscriber
    let messages = Locked<[RedisSubscriber.Message]>([])
    let events = Locked<[RedisSubscriber.Event]>([])
    /// Raised when `run()` returns.
    let finished = Completion()

    init(_ configuration: RedisConfiguration, subscribing subscriptions: [RedisSubscriber.Subscription],
         backoff: RedisSubscriber.Backoff = .init(first: .milliseconds(50), limit: .milliseconds(400)),
         healthCheckInterval: Duration = .seconds(15)) {
        let messages = self.messages, events = self.events, finished = self.finished
        subscriber = RedisSubscriber(configuration: configuration, backoff: backoff,
                                     healthCheckInterval: healthCheckInterval,
                                     onMessage: { message in messages.withLock { $0.append(message) } },
                                     onEvent: { event in events.withLock { $0.append(event) } })
        subscriber.subscribe(subscriptions)
        let subscriber = self.subscriber
        spawnThread {
            subscriber.run()
            finished.signal()
        }!.detach()
    }

    deinit {
        subscriber.stop()
        finished.wait(seconds: 10)
    }

    /// Waits until `event` has been delivered (`count` times).
    func waitFor(_ event: RedisSubscriber.Event, count: Int = 1) throws {
        try waitUntil("\(event)") { events.current.filter { $0 == event }.count >= count }
    }

    /// Waits until at least `count` messages have been delivered, and returns them all.
    @discardableResult
    func waitForMessages(_ count: Int, seconds: Double = 10) throws -> [RedisSubscriber.Message] {
        try waitUntil("\(count) messages", seconds: seconds) { messages.current.count >= count }
        return messages.current
    }

    /// The `.lost` events so far.
    var losses: [RedisError] {
        events.current.compactMap { if case .lost(let error) = $0 { error } else { nil } }
    }
}

/// The configuration of a URL the test knows is good.
func configuration(_ url: String) -> RedisConfiguration {
    do { return try RedisConfiguration(url: url) } catch { fatalError("\(url): \(error)") }
}

/// A connection for publishing to `redis`.
func publisher(_ redis: TestRedis) throws -> RedisConnection {
    try RedisConnection(configuration(redis.url))
}
