// Snapshots over the real server: made off the service thread (everyone else is served while one is held), counted
// against the socket that asked, and earlier parts asked for with `earlier`.
import Contracts
import Locking
import Testing
@testable import Server
import TurboStream

/// Snapshots of `slow/…` streams wait until the test lets them go; the others answer at once.
final class GatedSnapshots: StreamSnapshots, @unchecked Sendable {
    let release = Completion()
    let started = Completion()
    func snapshot(of stream: String) -> [StreamEnvelope] { snapshot(of: stream, .latest(limit: 1)) }
    func snapshot(of stream: String, _ request: SnapshotRequest) -> [StreamEnvelope] {
        if stream.hasPrefix("slow/") {
            started.signal()
            release.wait()
        }
        if case .earlier(let cursor, let limit) = request {
            return [.prepend(target: "messages", html: "<p>\(limit) before \(HTML.escape(cursor))</p>")]
        }
        return [.update(target: "subscribed", html: HTML.escape(stream))]
    }
}

/// Every snapshot is `bytes` of markup.
struct LargeSnapshots: StreamSnapshots {
    let bytes: Int
    func snapshot(of stream: String) -> [StreamEnvelope] {
        [.update(target: "subscribed", html: HTML.escape(stream) + String(repeating: "x", count: bytes))]
    }
}

@Suite(.serialized) struct SnapshotServiceTests {
    @Test func whileASnapshotIsMadeTheServiceThreadServesEveryoneElse() throws {
        let snapshots = GatedSnapshots()
        let server = try TestServer(snapshots: snapshots)
        defer { snapshots.release.signal() }
        let waiting = try WebSocketClient(port: server.port)
        try waiting.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("slow/1"))"}"#)
        snapshots.started.wait()
        // The snapshot is held, mid-way. HTTP, another socket's subscribe and the waiting socket's own other
        // messages are all answered meanwhile: none of them is behind it.
        #expect(try httpRequest(port: server.port, "/healthz").status == 200)
        let other = try server.subscriber(to: "fast")
        try waiting.send("not json")
        #expect(try waiting.nextText().contains(#"data-error="bad_json""#))
        server.hub.publish([.append(target: "messages", html: "<p>live</p>")], to: "fast")
        #expect(try other.nextText().contains("<p>live</p>"))
        // Let it go: the snapshot arrives, then what was published to its stream after it.
        snapshots.release.signal()
        #expect(try waiting.nextText().contains("slow/1"))
        server.hub.publish([.append(target: "messages", html: "<p>after</p>")], to: "slow/1")
        #expect(try waiting.nextText().contains("<p>after</p>"))
    }

    @Test func aSocketWaitingForItsShareOfSnapshotsIsToldToWait() throws {
        let snapshots = GatedSnapshots()
        let server = try TestServer(snapshots: snapshots)
        defer { snapshots.release.signal() }
        let client = try WebSocketClient(port: server.port)
        let share = server.hub.configuration.snapshotsInFlightPerConnection
        for i in 0..<share {
            try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("slow/\(i)"))"}"#)
        }
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("slow/more"))"}"#)
        #expect(try client.nextText().contains(#"data-error="rate_limited""#))
        snapshots.release.signal()
        var arrived = Set<String>()
        // Frames waiting together may share a message.
        while arrived.count < share {
            for match in try client.nextText().matches(of: /slow\/(\d+)/) { arrived.insert(String(match.1)) }
        }
        #expect(arrived == Set((0..<share).map(String.init)))
        // Its share is free again.
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("slow/more"))"}"#)
        #expect(try client.nextText().contains("slow/more"))
    }

    @Test func aSnapshotCostsItsSocketAllowanceByItsSize() throws {
        // No refill to speak of: what a socket may do is its burst, so the count below does not depend on timing.
        let server = try TestServer({ $0.messagesPerSecond = 0.001 }, snapshots: LargeSnapshots(bytes: 256 * 1024))
        let client = try WebSocketClient(port: server.port)
        let perCycle = 2 + server.hub.configuration.cost(ofSnapshot: 256 * 1024)
        // Subscribing and unsubscribing alone would be refused after burst / 2 = 20 rounds; each snapshot's size
        // is charged too, so the refusal comes after burst / (2 + 4) rounds.
        let burst = ServerConfiguration(host: "127.0.0.1", port: 0).messageBurst
        let expected = Int((burst / perCycle).rounded(.up))
        var refusedAt: Int?
        for round in 1...(expected + 2) {
            let signed = server.streamNames.signed("big/\(round)")
            try client.send(#"{"op":"subscribe","stream":"\#(signed)"}"#)
            let reply = try client.nextText()
            if reply.contains(#"data-error="rate_limited""#) { refusedAt = round; break }
            #expect(reply.contains("big/\(round)"))
            try client.send(#"{"op":"unsubscribe","stream":"\#(signed)"}"#)
        }
        #expect(refusedAt != nil && refusedAt! <= expected + 1, "refused at round \(String(describing: refusedAt))")
    }

    @Test func aChargedAllowanceGoesIntoDebtAtMostOneBurstDeep() {
        var bucket = TokenBucket(burst: 4, rate: 2, now: 0)
        bucket.charge(100, now: 0)
        #expect(bucket.take(now: 0) == .refuse(notify: true))
        // From -4, two seconds refill back to 0 and half a second more to one message.
        #expect(bucket.take(now: 2) == .refuse(notify: false))
        #expect(bucket.take(now: 2.5) == .accept)
    }

    @Test func earlierBringsThePartBeforeTheCursorToAFollower() throws {
        let server = try TestServer(snapshots: GatedSnapshots())
        let client = try server.subscriber(to: "thread/1")
        let signed = server.streamNames.signed("thread/1")
        try client.send(#"{"op":"earlier","stream":"\#(signed)","before":"17"}"#)
        let part = try client.nextText()
        #expect(part.contains(#"action="prepend""#))
        #expect(part.contains("<p>\(server.hub.configuration.snapshotItems) before 17</p>"))
        // Only for a stream it follows, and only a stream the server named.
        try client.send(#"{"op":"earlier","stream":"\#(server.streamNames.signed("thread/2"))","before":"17"}"#)
        #expect(try client.nextText().contains(#"data-error="not_found""#))
        try client.send(#"{"op":"earlier","stream":"thread/1","before":"17"}"#)
        #expect(try client.nextText().contains(#"data-error="bad_signature""#))
    }

    @Test(arguments: [
        (#"{"op":"earlier","stream":"s","before":"9"}"#, ClientMessage.earlier(stream: "s", before: "9")),
    ])
    func earlierIsDecoded(json: String, message: ClientMessage) throws {
        #expect(try ClientMessage.decode(Array(json.utf8)).get() == message)
    }

    @Test(arguments: [
        (#"{"op":"earlier","stream":"s"}"#, Wire.ErrorCode.missingField, "before"),
        (#"{"op":"earlier","before":"9"}"#, .missingField, "stream"),
        (#"{"op":"earlier","stream":"s","before":9}"#, .badField, "before"),
    ])
    func earlierWithoutItsFieldsIsRefused(json: String, code: Wire.ErrorCode, field: String) {
        guard case .failure(let rejection) = ClientMessage.decode(Array(json.utf8)) else {
            Issue.record("decoded \(json)")
            return
        }
        #expect(rejection.code == code)
        #expect(rejection.message.contains(field))
    }
}
