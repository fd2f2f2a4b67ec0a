import Contracts
import Locking
import Redis
import Relay
import Testing
import Telemetry
import TestSupport
import TurboStream

/// The relay against a real redis-server, with two broadcasters as two hosts, each handing what it relays to a
/// recording stand-in for its Hub: one order for every host, a snapshot fenced against publishes on the other host,
/// and fresh snapshots after Redis went away or frames were missed.
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisBroadcasterTests {
    @Test func framesPublishedOnEitherHostReachBothInOneOrder() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        try a.start()
        try b.start()
        for number in 0..<200 {
            (number % 3 == 0 ? b : a).broadcaster.publish(to: "thread-\(number % 2)") { [.append(target: "m", html: "\(number)")] }
        }
        try waitUntil("every frame relayed to both hosts") { a.local.frames.count == 200 && b.local.frames.count == 200 }
        #expect(a.local.frames == b.local.frames)
        // Each stream's frames in the order they were published, on both hosts.
        for stream in ["thread-0", "thread-1"] {
            let numbers = a.local.frames.filter { $0.stream == stream }.map { Int($0.html.between("<template>", "</template>"))! }
            #expect(numbers == numbers.sorted())
            #expect(numbers.count == 100)
        }
        #expect(a.local.refreshes.isEmpty && b.local.refreshes.isEmpty)
    }

    @Test func aSnapshotOnOneHostSeesEveryFramePublishedBeforeItOnTheOther() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        try a.start()
        try b.start()
        for round in 0..<50 {
            for index in 0..<5 { a.broadcaster.publish(to: "t") { [.append(target: "m", html: "\(round).\(index)")] } }
            // What the fence promises: inside it, every frame published before is already in B's queue.
            let seen = b.broadcaster.fenced("t") { b.local.frames.count }
            #expect(seen == (round + 1) * 5)
        }
    }

    @Test func aPublishWaitsWhileAnotherHostReadsTheStreamsSnapshot() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        try a.start()
        try b.start()
        let inside = Completion(), release = Completion(), published = Completion()
        let updated = Locked(false)
        let reader = spawnThread {
            b.broadcaster.fenced("t") {
                inside.signal()
                release.wait(seconds: 10)
            }
        }
        #expect(inside.wait(seconds: 10))
        let writer = spawnThread {
            a.broadcaster.publish(to: "t") {
                updated.withLock { $0 = true }
                return [.append(target: "m", html: "x")]
            }
            published.signal()
        }
        // The publish is held at the gate, and another stream's is not.
        a.broadcaster.publish(to: "other") { [.append(target: "m", html: "y")] }
        try waitUntil("the other stream's frame relayed") { b.local.frames.contains { $0.stream == "other" } }
        #expect(updated.current == false)
        release.signal()
        #expect(published.wait(seconds: 10))
        #expect(updated.current == true)
        reader?.join()
        writer?.join()
        try waitUntil("the held frame relayed") { b.local.frames.contains { $0.stream == "t" } }
    }

    @Test func aRedisRestartGivesEveryPageAFreshSnapshotAndWhatWasPublishedMeanwhileIsNotLost() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        try a.start()
        try b.start()
        a.broadcaster.publish(to: "t") { [.append(target: "m", html: "before")] }
        try waitUntil("the first frame relayed") { b.local.frames.count == 1 }
        redis.stop()
        // Redis is away: A's own pages get the frame at once, the other host's a fresh snapshot when it is back.
        a.broadcaster.publish(to: "t") { [.append(target: "m", html: "meanwhile")] }
        #expect(a.local.direct.map(\.html) == [StreamEnvelope.render([.append(target: "m", html: "meanwhile")])])
        try redis.start()
        try waitUntil("both hosts subscribed again and told to refresh", seconds: 20) {
            a.local.refreshes.contains(nil) && b.local.refreshes.contains(nil) && a.broadcaster.isInStep
                && b.broadcaster.isInStep
        }
        // B's pages start again from a snapshot, which has what A published meanwhile (a host whose subscription
        // outlived the outage would get A's marker for "t" instead, sent when A is back).
        a.broadcaster.publish(to: "t") { [.append(target: "m", html: "after")] }
        try waitUntil("publishing through Redis again") { b.local.frames.count == 2 }
        #expect(b.local.frames.last?.html.contains("after") == true)
    }

    @Test func afterARestartAHostWritesItsStateAgainThenEveryHostsPagesOfItAreRefreshed() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        try a.start()
        try b.start()
        let answers = RedisAnswers(beside: a.broadcaster), onB = RedisAnswers(beside: b.broadcaster)
        // At A's restore: whether Redis had come back empty, and how many refreshes B had had by then.
        let restored = Locked<(empty: Bool, refreshes: Int)?>(nil)
        a.broadcaster.onResubscribed {
            let empty = onB.answer(9) == nil
            // As the chat does: inside the stream's publish, the answer in progress whole again.
            a.broadcaster.publish(to: "thread-7") {
                answers.record(9, SharedAnswer(thread: 7, blocks: ["<p>so far</p>\n"]), previous: nil)
                return []
            }
            restored.withLock { $0 = (empty, b.local.refreshes.count) }
            return ["thread-7"]
        }
        answers.record(9, SharedAnswer(thread: 7, blocks: ["<p>so far</p>\n"]), previous: nil)
        try redis.restart()
        // After the restore B's pages of the thread read again: by A's marker, or, when B subscribed again only after
        // the marker went, by B's own refresh of every page.
        try waitUntil("A wrote its answer again and B's pages of it were refreshed after", seconds: 20) {
            guard let restored = restored.current else { return false }
            return b.local.refreshes.dropFirst(restored.refreshes).contains { $0 == nil || $0 == ["thread-7"] }
        }
        #expect(restored.current?.empty == true, "Redis came back empty")
        #expect(onB.answer(9)?.blocks == ["<p>so far</p>\n"])
    }

    @Test func framesThatReachedOneHostOnlyRefreshTheOthersOnceRedisAnswersWithNoPublishNeeded() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        try a.start()
        try b.start()
        // Writes wait (commands time out) while subscriptions go on: the publish reaches A's pages only.
        try redis.cli(["CLIENT", "PAUSE", "3000", "WRITE"])
        a.broadcaster.publish(to: "t") { [.append(target: "m", html: "meanwhile")] }
        #expect(a.local.direct.count == 1 && b.local.frames.isEmpty)
        // Nothing else is published: the marker goes out by itself once Redis takes writes again.
        try waitUntil("B's pages of the stream refreshed", seconds: 20) { b.local.refreshes.contains(["t"]) }
        #expect(!b.local.refreshes.contains(nil), "B never lost its subscription")
    }

    @Test func aSnapshotThatOutlastsItsGateIsReadAgain() throws {
        let redis = try TestRedis()
        var timing = RedisBroadcaster.Timing()
        timing.gateExpiry = .milliseconds(300)
        let (a, b) = (RecordingHost(redis, timing: timing), RecordingHost(redis, timing: timing))
        try a.start()
        try b.start()
        let published = Completion()
        _ = b.broadcaster.fenced("t") { () -> Int in
            // A takes the expired gate and publishes while B is still reading.
            let writer = spawnThread {
                a.broadcaster.publish(to: "t") { [.append(target: "m", html: "x")] }
                published.signal()
            }
            writer?.detach()
            published.wait(seconds: 10)
            return 0
        }
        #expect(b.local.refreshes == [["t"]])
    }

    @Test func aGapInTheNumbersRefreshesEveryPageOnTheHostThatSawIt() throws {
        let redis = try TestRedis()
        let registry = MetricsRegistry()
        let a = RecordingHost(redis, metrics: registry)
        try a.start()
        a.broadcaster.publish(to: "t") { [.append(target: "m", html: "one")] }
        try waitUntil("the frame relayed") { a.local.frames.count == 1 }
        // A message numbered past the next, as if one was lost between Redis and this host.
        let next = Int(try redis.cli(["GET", "quarry:0:seq"]))! + 5
        try redis.cli(["PUBLISH", "quarry:0:s:t", "\(next) -\n<turbo-stream action=\"remove\" target=\"x\"></turbo-stream>"])
        try waitUntil("the gap seen") { a.local.refreshes.contains(nil) }
        #expect(a.local.frames.count == 2)
        // Counted for the person watching the site.
        let exposition = String(decoding: registry.exposition(), as: UTF8.self)
        #expect(exposition.contains("quarry_relay_refreshes_total{reason=\"gap\"} 1"))
        #expect(exposition.contains("quarry_relay_published_total 1") && exposition.contains("quarry_relay_frames_total 2"))
        #expect(exposition.contains("quarry_relay_in_step 1"))
    }

    @Test func answersInProgressAreKeptForOtherHostsAsTheyChange() throws {
        let redis = try TestRedis()
        let a = RecordingHost(redis), b = RecordingHost(redis)
        let (mine, theirs) = (RedisAnswers(beside: a.broadcaster), RedisAnswers(beside: b.broadcaster))
        var answer = SharedAnswer(thread: 7)
        mine.record(42, answer, previous: nil)
        #expect(theirs.answer(42) == answer)
        var steps: [SharedAnswer] = []
        for step in 0..<6 {
            let before = answer
            switch step {
            case 0: answer.steps = ["Searching knowledge base…"]; answer.reasoning = "First, "
            case 1: answer.reasoning += "the café’s hours. 🙂"; answer.blocks = ["<p>It opens</p>\n"]
            case 2: answer.blocks = ["<p>It opens at 8.</p>\n", "<ul>\n<li>Mon</li>\n</ul>\n"]
            case 3: answer.blocks = ["<p>It opens at 8.</p>\n"]  // fewer blocks: the rest go
            case 4: answer.reasoning = "Rewritten."  // not an addition: replaced
            default: answer.blocks += ["<pre><code>x\n</code></pre>\n", "<p>done</p>\n"]
            }
            mine.record(42, answer, previous: before)
            // Sent twice (a connection Redis closed): the reasoning is not added twice.
            if step == 1 { mine.record(42, answer, previous: before) }
            steps.append(answer)
            #expect(theirs.answer(42) == answer, "after step \(step)")
        }
        #expect(try redis.cli(["HEXISTS", "quarry:0:answer:42", "b2"]) == "1")
        #expect(try redis.cli(["HEXISTS", "quarry:0:answer:42", "b3"]) == "0")
        // The hash gone (evicted, flushed): the next change writes the answer whole.
        try redis.cli(["DEL", "quarry:0:answer:42"])
        let before = answer
        answer.blocks += ["<p>more</p>\n"]
        answer.reasoning += " Then more."
        mine.record(42, answer, previous: before)
        #expect(theirs.answer(42) == answer)
        mine.remove(42)
        #expect(theirs.answer(42) == nil)
        #expect(try redis.cli(["EXISTS", "quarry:0:answer:42"]) == "0")
    }
}

/// One host: a broadcaster relaying into a recorder, stopped when the test lets it go.
final class RecordingHost: Sendable {
    let local = RecordingStreams()
    let broadcaster: RedisBroadcaster

    init(_ redis: TestRedis, metrics: MetricsRegistry? = nil, timing: RedisBroadcaster.Timing = .init()) {
        var timing = timing
        timing.fenceWait = .seconds(5)
        broadcaster = RedisBroadcaster(configuration: try! RedisConfiguration(url: redis.url), local: local, timing: timing,
                                       metrics: metrics)
    }

    deinit { broadcaster.stop() }

    func start() throws { try broadcaster.start() }
}

/// What a Hub would be handed: relayed frames, local-only publishes, refreshes.
final class RecordingStreams: LocalStreams, @unchecked Sendable {
    struct Frame: Equatable { let stream: String; let html: String }
    private let state = Locked<(frames: [Frame], direct: [Frame], refreshes: [Set<String>?], fence: Bool)>(([], [], [], false))

    var frames: [Frame] { state.withLock { $0.frames } }
    var direct: [Frame] { state.withLock { $0.direct } }
    var refreshes: [Set<String>?] { state.withLock { $0.refreshes } }

    func publish(frame: [UInt8], to stream: String) {
        state.withLock { $0.frames.append(Frame(stream: stream, html: String(decoding: frame, as: UTF8.self))) }
    }

    func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
        let html = StreamEnvelope.render(update())
        state.withLock { $0.direct.append(Frame(stream: stream, html: html)) }
    }

    func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {}
    func refresh(_ streams: Set<String>?) { state.withLock { $0.refreshes.append(streams) } }
    func setFence(_ fence: (any SnapshotFence)?) { state.withLock { $0.fence = fence != nil } }
}

extension String {
    /// The text between the first `start` and the `end` after it.
    fileprivate func between(_ start: String, _ end: String) -> String {
        guard let from = firstRange(of: start)?.upperBound, let to = self[from...].firstRange(of: end)?.lowerBound else { return "" }
        return String(self[from..<to])
    }
}

/// Questions a minute counted across hosts.
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisRatesTests {
    @Test func twoHostsShareOneCountPerKeyAndARefusedQuestionCountsNothing() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        let (onA, onB) = (RedisRates(beside: a.broadcaster), RedisRates(beside: b.broadcaster))
        let limits = [(key: "session:s1", perMinute: 2), (key: "peer:10.0.0.1", perMinute: 3)]
        #expect(onA.admit(limits, window: .seconds(60)) == nil)
        #expect(onB.admit(limits, window: .seconds(60)) == nil)
        // The session's two are used, across hosts: the third is refused on either, saying for how long.
        let refused = try #require(onA.admit(limits, window: .seconds(60)))
        #expect(refused.index == 0 && refused.wait > .seconds(55) && refused.wait <= .seconds(60))
        #expect(onB.admit(limits, window: .seconds(60))?.index == 0)
        // Refusals counted nothing: another session from the same address has the address's last place.
        let other = [(key: "session:s2", perMinute: 2), (key: "peer:10.0.0.1", perMinute: 3)]
        #expect(onB.admit(other, window: .seconds(60)) == nil)
        #expect(onA.admit(other, window: .seconds(60))?.index == 1)
        // A short window lets them in again.
        #expect(onA.admit([(key: "session:s3", perMinute: 1)], window: .milliseconds(200)) == nil)
        #expect(onB.admit([(key: "session:s3", perMinute: 1)], window: .milliseconds(200)) != nil)
        try waitUntil("the window passes") { onB.admit([(key: "session:s3", perMinute: 1)], window: .milliseconds(200)) == nil }
    }

    @Test func withoutRedisEachHostsOwnCountHolds() throws {
        let redis = try TestRedis()
        let a = RecordingHost(redis)
        let rates = RedisRates(beside: a.broadcaster)
        redis.stop()
        #expect(rates.admit([(key: "session:s1", perMinute: 0)], window: .seconds(60)) == nil)
    }
}

/// The answers a session and an address hold, across hosts.
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisHoldsTests {
    @Test func placesAreSharedBetweenHostsGivenBackAndFreedWhenTheirHostDies() throws {
        let redis = try TestRedis()
        let (a, b) = (RecordingHost(redis), RecordingHost(redis))
        let (onA, onB) = (RedisHolds(beside: a.broadcaster), RedisHolds(beside: b.broadcaster))
        let limits = [(key: "session:s1", most: 2), (key: "peer:10.0.0.1", most: 3)]
        #expect(onA.hold("a:1", limits, expiry: .seconds(60)) == nil)
        #expect(onB.hold("b:1", limits, expiry: .seconds(60)) == nil)
        // Sent twice, a place is held once.
        #expect(onB.hold("b:1", limits, expiry: .seconds(60)) == nil)
        #expect(onA.hold("a:2", limits, expiry: .seconds(60)) == 0, "the session's two places are taken")
        // A refusal holds nothing: another session of the address has its last place.
        #expect(onA.hold("a:3", [(key: "session:s2", most: 2), (key: "peer:10.0.0.1", most: 3)], expiry: .seconds(60)) == nil)
        #expect(onB.hold("b:2", [(key: "session:s3", most: 2), (key: "peer:10.0.0.1", most: 3)], expiry: .seconds(60)) == 1)
        // Given back on one host, free on the other.
        onA.release("a:1", keys: limits.map(\.key))
        #expect(onB.hold("b:3", limits, expiry: .seconds(60)) == nil)
        // A place whose host died (never given back) goes when it expires.
        #expect(onA.hold("dead", [(key: "session:s4", most: 1)], expiry: .milliseconds(200)) == nil)
        #expect(onB.hold("b:4", [(key: "session:s4", most: 1)], expiry: .seconds(60)) == 0)
        try waitUntil("the dead host's place expiring") {
            onB.hold("b:4", [(key: "session:s4", most: 1)], expiry: .seconds(60)) == nil
        }
    }
}
