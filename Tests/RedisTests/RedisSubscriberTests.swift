import Locking
import Redis
import Testing
import TestSupport

/// The subscriber service against a real redis-server: delivery, changes while running, and surviving a restart or a
/// killed connection.
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisSubscriberTests {
    @Test func binaryPayloadsArriveExactlyEvenAMegabyte() throws {
        let redis = try TestRedis()
        let running = RunningSubscriber(configuration(redis.url), subscribing: [.channel("bin\u{0}ary")])
        try running.waitFor(.subscribed(.channel("bin\u{0}ary")))
        let publisher = try publisher(redis)
        let megabyte = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let payloads: [[UInt8]] = [[0, 0, 1, 0], [], Array("\r\n$3\r\n*1\r\n".utf8), megabyte, [255, 0, 254]]
        for payload in payloads { #expect(try publisher.publish(channel: "bin\u{0}ary", payload) == 1) }
        let received = try running.waitForMessages(payloads.count)
        #expect(received.map(\.payload) == payloads)
        #expect(received.allSatisfy { $0.channel == "bin\u{0}ary" && $0.pattern == nil })
        #expect(running.losses.isEmpty)
    }

    @Test func manyMessagesOnTwoChannelsArriveInTheOrderTheyWerePublished() throws {
        let redis = try TestRedis()
        let running = RunningSubscriber(configuration(redis.url), subscribing: [.channel("odd"), .channel("even")])
        try running.waitFor(.subscribed(.channel("odd")))
        try running.waitFor(.subscribed(.channel("even")))
        let publisher = try publisher(redis)
        let count = 5000
        for number in 0..<count { try publisher.publish(channel: number % 2 == 0 ? "even" : "odd", Array("\(number)".utf8)) }
        let received = try running.waitForMessages(count, seconds: 30)
        #expect(received.map { Int(String(decoding: $0.payload, as: UTF8.self)) } == Array(0..<count))
        #expect(received.allSatisfy { ($0.channel == "even") == (Int(String(decoding: $0.payload, as: UTF8.self))! % 2 == 0) })
    }

    @Test func subscriptionsChangeWhileRunning() throws {
        let redis = try TestRedis()
        let running = RunningSubscriber(configuration(redis.url), subscribing: [.channel("a")])
        try running.waitFor(.subscribed(.channel("a")))
        let publisher = try publisher(redis)
        try publisher.publish(channel: "a", Array("1".utf8))
        try running.waitForMessages(1)

        running.subscriber.subscribe([.channel("b"), .pattern("page.*")])
        try running.waitFor(.subscribed(.channel("b")))
        try running.waitFor(.subscribed(.pattern("page.*")))
        #expect(try publisher.publish(channel: "b", Array("2".utf8)) == 1)
        #expect(try publisher.publish(channel: "page.7", Array("3".utf8)) == 1)
        try running.waitForMessages(3)

        running.subscriber.unsubscribe([.channel("a"), .pattern("page.*")])
        try running.waitFor(.unsubscribed(.channel("a")))
        try running.waitFor(.unsubscribed(.pattern("page.*")))
        #expect(try publisher.publish(channel: "a", Array("not delivered".utf8)) == 0)
        #expect(try publisher.publish(channel: "page.7", Array("not delivered".utf8)) == 0)
        #expect(try publisher.publish(channel: "b", Array("4".utf8)) == 1)
        let received = try running.waitForMessages(4)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == ["1", "2", "3", "4"])
        #expect(received[2] == .init(channel: "page.7", pattern: "page.*", payload: Array("3".utf8)))
        #expect(running.subscriber.state == .connected)
    }

    @Test func aRedisRestartIsLostThenResubscribedAndMessagesFlowAgain() throws {
        let redis = try TestRedis()
        let running = RunningSubscriber(configuration(redis.url), subscribing: [.channel("r"), .pattern("p*")])
        try running.waitFor(.subscribed(.channel("r")))
        try running.waitFor(.subscribed(.pattern("p*")))
        let before = try publisher(redis)
        #expect(try before.publish(channel: "r", Array("before".utf8)) == 1)
        try running.waitForMessages(1)

        try redis.restart()
        try running.waitFor(.resubscribed)
        #expect(running.losses.count == 1)
        #expect(running.losses.first?.kind == .connectionLost)
        let events = running.events.current
        let lost = events.firstIndex { if case .lost = $0 { true } else { false } }
        // Lost, then both subscriptions confirmed again, then resubscribed.
        #expect(lost != nil && events[lost!...].suffix(3).last == .resubscribed)
        #expect(events.filter { $0 == .subscribed(.channel("r")) }.count == 2)

        let after = try publisher(redis)
        #expect(try after.publish(channel: "r", Array("after".utf8)) == 1)
        #expect(try after.publish(channel: "pattern", Array("matched".utf8)) == 1)
        let received = try running.waitForMessages(3)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == ["before", "after", "matched"])
        #expect(running.subscriber.state == .connected)
    }

    @Test func aKilledConnectionIsLostThenResubscribed() throws {
        let redis = try TestRedis()
        let running = RunningSubscriber(configuration(redis.url), subscribing: [.channel("k")])
        try running.waitFor(.subscribed(.channel("k")))
        #expect(try redis.cli(["CLIENT", "KILL", "TYPE", "pubsub"]) == "1")
        try running.waitFor(.resubscribed)
        #expect(running.losses.map(\.kind) == [.connectionLost])
        #expect(try publisher(redis).publish(channel: "k", Array("again".utf8)) == 1)
        #expect(try running.waitForMessages(1).map(\.payload) == [Array("again".utf8)])
        // A second outage is a second .lost, and a second .resubscribed.
        #expect(try redis.cli(["CLIENT", "KILL", "TYPE", "pubsub"]) == "1")
        try running.waitFor(.resubscribed, count: 2)
        #expect(running.losses.map(\.kind) == [.connectionLost, .connectionLost])
        #expect(try publisher(redis).publish(channel: "k", Array("and again".utf8)) == 1)
        try running.waitForMessages(2)
    }

    /// Redis down when the subscriber starts: one `.lost`, however many attempts fail, then `.resubscribed` when it
    /// comes up.
    @Test func aRedisThatIsDownAtTheStartIsWaitedFor() throws {
        let redis = try TestRedis()
        redis.stop()
        let running = RunningSubscriber(configuration(redis.url), subscribing: [.channel("late")],
                                        backoff: .init(first: .milliseconds(10), limit: .milliseconds(40)))
        try waitUntil("a few refused attempts") {
            if case .waitingToReconnect(let delay) = running.subscriber.state { delay == .milliseconds(40) } else { false }
        }
        #expect(running.losses.map(\.description) == ["Redis at 127.0.0.1:\(redis.port) refused the connection"])
        try redis.start()
        try running.waitFor(.resubscribed)
        #expect(running.losses.count == 1)
        #expect(try publisher(redis).publish(channel: "late", [1]) == 1)
        try running.waitForMessages(1)
    }

    @Test func aWrongPasswordIsReportedAndRetried() throws {
        let redis = try TestRedis(password: "right")
        let wrong = RunningSubscriber(configuration("redis://:wrong@127.0.0.1:\(redis.port)"), subscribing: [.channel("x")])
        try waitUntil("the refusal") { !wrong.losses.isEmpty }
        #expect(wrong.losses.first?.kind == .authenticationFailed)
        let right = RunningSubscriber(configuration("redis://:right@127.0.0.1:\(redis.port)"), subscribing: [.channel("x")])
        try right.waitFor(.subscribed(.channel("x")))
        #expect(right.losses.isEmpty)
    }

    /// A server that accepts the connection and never answers: the health check's PING goes unanswered, and the
    /// connection counts as lost.
    @Test func anUnansweredHealthCheckIsALoss() throws {
        let silent = try SilentListener()
        let running = RunningSubscriber(
            RedisConfiguration(address: .tcp(host: "127.0.0.1", port: silent.port), commandTimeout: .milliseconds(200)),
            subscribing: [.channel("quiet")], healthCheckInterval: .milliseconds(100))
        try waitUntil("the loss") { !running.losses.isEmpty }
        #expect(running.losses.first?.kind == .timedOut)
        #expect(running.losses.first?.description.contains("did not answer a PING") == true)
    }

    @Test func stopEndsRunPromptlyWhetherConnectedOrWaiting() throws {
        let redis = try TestRedis()
        let connected = RunningSubscriber(configuration(redis.url), subscribing: [.channel("s")])
        try connected.waitFor(.subscribed(.channel("s")))
        connected.subscriber.stop()
        #expect(connected.finished.wait(seconds: 2))
        #expect(connected.subscriber.state == .stopped)

        redis.stop()
        let waiting = RunningSubscriber(configuration(redis.url), subscribing: [.channel("s")],
                                        backoff: .init(first: .seconds(60), limit: .seconds(60)))
        try waitUntil("waiting to reconnect") { waiting.subscriber.state == .waitingToReconnect(delay: .seconds(60)) }
        waiting.subscriber.stop()
        #expect(waiting.finished.wait(seconds: 2))

        // Stopped before it ran: run() returns at once.
        let never = RedisSubscriber(configuration: configuration(redis.url), onMessage: { _ in })
        never.stop()
        never.run()
        #expect(never.state == .stopped)
    }
}
