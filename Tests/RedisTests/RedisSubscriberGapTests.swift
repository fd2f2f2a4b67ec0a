import Locking
import Redis
import Testing
import TestSupport

/// The promise a caller builds on: across a Redis restart, every message Redis counted as handed to the subscriber
/// arrives, in order, once; and every message published after `.resubscribed` arrives.
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisSubscriberGapTests {
    @Test func messagesPublishedThroughARestartArriveUnlessRedisHadNoSubscriber() throws {
        let redis = try TestRedis()
        let published = Locked<[(number: Int, receivers: Int)]>([])
        let stopPublishing = Completion(), publisherDone = Completion()
        let url = redis.url
        /// The highest number whose PUBLISH had returned once `.resubscribed` had been heard: every later one was sent
        /// after the subscriptions were live again.
        let lastBeforeResubscribed = Locked<Int?>(nil)
        let running = RunningSubscriber(configuration(url), subscribing: [.channel("seq")])
        try running.waitFor(.subscribed(.channel("seq")))
        spawnThread {
            var connection: RedisConnection?
            var number = 0
            while !stopPublishing.wait(seconds: 0) {
                do {
                    let current = try connection ?? RedisConnection(configuration(url))
                    connection = current
                    let receivers = try current.publish(channel: "seq", Array("\(number)".utf8))
                    published.withLock { $0.append((number, receivers)) }
                    number += 1
                } catch {
                    connection = nil
                    stopPublishing.wait(seconds: 0.005)  // Redis is restarting: pace the attempts
                }
            }
            publisherDone.signal()
        }!.detach()
        try waitUntil("100 messages before the restart") { published.current.count >= 100 }
        try redis.restart()
        try running.waitFor(.resubscribed)
        lastBeforeResubscribed.withLock { $0 = published.current.last?.number }
        let mark = published.current.count
        try waitUntil("100 messages after the restart") { published.current.count >= mark + 100 }
        stopPublishing.signal()
        publisherDone.wait()

        let sent = published.current
        let last = try #require(lastBeforeResubscribed.current)
        let owed = Set(sent.filter { $0.receivers == 1 || $0.number >= last + 2 }.map(\.number))
        try waitUntil("every message owed") {
            Set(running.messages.current.map { Int(String(decoding: $0.payload, as: UTF8.self))! }).isSuperset(of: owed)
        }
        let received = running.messages.current.map { Int(String(decoding: $0.payload, as: UTF8.self))! }
        #expect(zip(received, received.dropFirst()).allSatisfy { $0 < $1 }, "in order, each once")
        #expect(running.losses.count == 1)
    }
}
