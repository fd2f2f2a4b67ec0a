import Locking
import Redis
import Testing
import TestSupport

/// `RedisPublisher` against a real redis-server: many threads over one connection, and Redis going and coming back.
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisPublisherTests {
    @Test func manyThreadsPublishOverOneConnectionAndEveryMessageArrives() throws {
        let redis = try TestRedis()
        let subscriber = RunningSubscriber(configuration(redis.url), subscribing: [.channel("c")])
        try subscriber.waitFor(.subscribed(.channel("c")))
        let publisher = RedisPublisher(configuration: configuration(redis.url))
        #expect(publisher.state == .idle)
        let failures = Locked(0)
        let done = (0..<4).map { _ in Completion() }
        for (thread, finished) in done.enumerated() {
            spawnThread {
                for index in 0..<250 {
                    do { try publisher.publish(channel: "c", Array("\(thread):\(index)".utf8)) } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
                finished.signal()
            }!.detach()
        }
        for finished in done { finished.wait(seconds: 30) }
        #expect(failures.current == 0)
        let messages = try subscriber.waitForMessages(1_000)
        #expect(messages.count == 1_000)
        // Each thread's messages arrive in the order it published them.
        for thread in 0..<4 {
            let mine = messages.map { String(decoding: $0.payload, as: UTF8.self) }.filter { $0.hasPrefix("\(thread):") }
            #expect(mine == (0..<250).map { "\(thread):\($0)" })
        }
        #expect(publisher.state == .connected)
    }

    @Test func aRestartCostsAtMostOneCommandAndTheNextConnectsAgain() throws {
        let redis = try TestRedis()
        let publisher = RedisPublisher(configuration: configuration(redis.url))
        #expect(try publisher.command([Array("SET".utf8), Array("k".utf8), [0, 1]]) == .status("OK"))
        try redis.restart()
        var failures = 0
        var reply: RedisReply?
        for _ in 0..<2 where reply == nil {
            do { reply = try publisher.command([Array("PING".utf8)]) } catch {
                #expect(error.kind == .connectionLost)
                failures += 1
            }
        }
        #expect(reply == .status("PONG"))
        #expect(failures <= 1)
        #expect(publisher.state == .connected)
    }

    @Test func aRedisThatIsDownIsNotAskedAgainBeforeTheBackoffAndIsUsedWhenBack() throws {
        let redis = try TestRedis()
        redis.stop()
        let publisher = RedisPublisher(configuration: configuration(redis.url),
                                       backoff: .init(first: .milliseconds(200), limit: .seconds(1)))
        do {
            try publisher.publish(channel: "c", [1])
            Issue.record("a publish to a stopped Redis succeeded")
        } catch {
            #expect(error.kind == .refused)
        }
        #expect(publisher.state == .waitingToReconnect(delay: .milliseconds(200)))
        // Within the backoff: refused at once, saying when the next attempt is, without connecting.
        do {
            try publisher.publish(channel: "c", [1])
            Issue.record("a publish within the backoff succeeded")
        } catch {
            #expect(error.kind == .refused)
            #expect(error.description.contains("the next attempt in"))
        }
        try redis.start()
        try waitUntil("a publish after Redis came back") { (try? publisher.publish(channel: "c", [2])) != nil }
        #expect(publisher.state == .connected)
    }

    @Test func aPayloadOverTheLimitIsRefusedAndTheConnectionStays() throws {
        let redis = try TestRedis()
        var settings = configuration(redis.url)
        settings.maxPayloadBytes = 1_024
        let publisher = RedisPublisher(configuration: settings)
        #expect(try publisher.publish(channel: "c", [UInt8](repeating: 7, count: 1_024)) == 0)
        do {
            try publisher.publish(channel: "c", [UInt8](repeating: 7, count: 1_025))
            Issue.record("an oversized payload was published")
        } catch {
            #expect(error.kind == .tooLarge)
        }
        #expect(publisher.state == .connected)
        #expect(try publisher.publish(channel: "c", [1]) == 0)
    }
}
