import Contracts
import Locking
import Testing
@testable import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// Snapshots over a counter per stream that publishers change inside `publish(to:)`.
final class CounterState: StreamSnapshots, @unchecked Sendable {
    private let values = Locked<[String: Int]>([:])  // changed only inside publish(to:), read inside the gate
    func snapshot(of stream: String) -> [StreamEnvelope] { [.update(target: "n", html: "\(value(stream))")] }
    func value(_ stream: String) -> Int { values.withLock { $0[stream] ?? 0 } }
    /// Adds one to `stream`'s counter and publishes the new value, as one step.
    func increment(_ stream: String, on hub: Hub) {
        hub.publish(to: stream) {
            let value = values.withLock { values in
                values[stream, default: 0] += 1
                return values[stream]!
            }
            return [.update(target: "n", html: "\(value)")]
        }
    }
}

/// Snapshots that wait, inside the stream's gate, until the test lets them go; they record what was asked.
final class HeldSnapshots: StreamSnapshots, @unchecked Sendable {
    let release = Completion()
    let started = Completion()
    let asked = Locked<[String]>([])
    func snapshot(of stream: String) -> [StreamEnvelope] { snapshot(of: stream, .latest(limit: 0)) }
    func snapshot(of stream: String, _ request: SnapshotRequest) -> [StreamEnvelope] {
        asked.withLock { $0.append(stream) }
        started.signal()
        release.wait()
        if case .earlier(let cursor, _) = request { return [.prepend(target: "m", html: "earlier-than-\(cursor)")] }
        return [.update(target: "snapshot", html: stream)]
    }
}

/// What each connection received, as text, in order.
final class Received {
    var frames: [ConnectionID: [String]] = [:]
    func record(_ id: ConnectionID, _ frame: Hub.Frame) {
        frames[id, default: []].append(String(decoding: frame, as: UTF8.self))
    }
    /// The counter values `id` saw, from `<template>N</template>`.
    func values(_ id: ConnectionID) -> [Int] {
        (frames[id] ?? []).compactMap { $0.firstMatch(of: /<template>(\d+)<\/template>/).map { Int($0.1)! } }
    }
}

/// Drains `hub` until `condition` holds (the hub's snapshot threads work meanwhile); fails after 10 s.
func drain(_ hub: Hub, into received: Received, until condition: () -> Bool) {
    let deadline = monotonicSeconds() + 10
    while true {
        hub.drain(received.record)
        if condition() { return }
        guard monotonicSeconds() < deadline else {
            Issue.record("timed out draining the hub")
            return
        }
        usleep(1000)
    }
}

@Suite struct HubTests {
    @Test func deliversInPublishOrderToSubscribersOnly() throws {
        let hub = Hub()
        let got = Received()
        try hub.subscribe(1, to: "a")
        try hub.subscribe(2, to: "b")
        hub.publish([.remove(target: "1")], to: "a")
        hub.publish([.remove(target: "2")], to: "b")
        hub.publish([.remove(target: "3")], to: "a")
        hub.send([.remove(target: "direct")], to: 2)
        hub.drain(got.record)
        #expect(got.frames[1]?.map { $0.contains("\"1\"") || $0.contains("\"3\"") } == [true, true])
        #expect(got.frames[1]?.first?.contains("\"1\"") == true)
        #expect(got.frames[2]?.count == 2 && got.frames[2]?.last?.contains("direct") == true)
        hub.unsubscribe(1, from: "a")
        hub.publish([.remove(target: "4")], to: "a")
        hub.drain(got.record)
        #expect(got.frames[1]?.count == 2)
    }

    @Test func withoutSnapshotsWhatWasPublishedBeforeTheSubscribeIsNotDelivered() throws {
        let hub = Hub()
        let got = Received()
        hub.publish([.remove(target: "before")], to: "a")
        try hub.subscribe(1, to: "a")
        hub.publish([.remove(target: "after")], to: "a")
        hub.drain(got.record)
        #expect(got.frames[1]?.count == 1 && got.frames[1]?.first?.contains("after") == true)
    }

    @Test func snapshotAndLiveUpdatesMeetWithoutGapOrDuplicate() throws {
        let state = CounterState()
        let hub = Hub(snapshots: state)
        let got = Received()
        // Published before the subscribe: in the snapshot, not delivered again.
        for _ in 0..<3 { state.increment("c", on: hub) }
        try hub.subscribe(7, to: "c")
        for _ in 0..<2 { state.increment("c", on: hub) }
        drain(hub, into: got) { got.values(7).last == 5 }
        #expect(got.values(7).first! <= 5)
        #expect(got.values(7) == Array(got.values(7).first!...5))
    }

    @Test func snapshotsTakenWhilePublishesRunMeetThemWithNoGapAndNothingTwice() throws {
        let state = CounterState()
        let hub = Hub(snapshots: state, configuration: HubConfiguration(snapshotsInFlightPerConnection: 64))
        let got = Received()
        let total = 3_000
        let publisher = try #require(spawnThread { for _ in 0..<total { state.increment("c", on: hub) } })
        // Subscribers join at moments spread over the run; some leave and come back (a new snapshot each time).
        var connection: ConnectionID = 0
        var joined: [ConnectionID] = []
        while state.value("c") < total && connection < 40 {
            connection += 1
            try hub.subscribe(connection, to: "c")
            joined.append(connection)
            if connection % 5 == 0 {
                hub.unsubscribe(connection, from: "c")
                try hub.subscribe(connection, to: "c")
            }
            hub.drain(got.record)
            usleep(200)
        }
        publisher.join()
        drain(hub, into: got) { joined.allSatisfy { got.values($0).last == total } }
        for id in joined {
            // One snapshot, then every later value once, in order (a socket that left and came back before
            // anything reached it: from its second snapshot).
            let values = got.values(id)
            #expect(values == Array(values.first!...total), "connection \(id)")
        }
        #expect(hub.openGates == 0)
    }

    @Test func aSnapshotIsMadeOffTheServiceThreadHoldingOnlyItsOwnStream() throws {
        let held = HeldSnapshots()
        let hub = Hub(snapshots: held)
        let got = Received()
        try hub.subscribe(1, to: "big")  // returns at once: the snapshot is made elsewhere
        held.started.wait()
        // While it is being made: other streams publish and deliver, other sockets get their replies.
        try hub.subscribe(2, to: "other")
        hub.send([.remove(target: "reply")], to: 3)
        hub.drain(got.record)
        #expect(got.frames[3]?.count == 1)
        // A publish to the stream being snapshotted waits for it (it is ordered after the snapshot).
        let publishedBig = Completion()
        let publisher = try #require(spawnThread {
            hub.publish([.remove(target: "after-snapshot")], to: "big")
            publishedBig.signal()
        })
        held.release.signal()
        publishedBig.wait()
        publisher.join()
        drain(hub, into: got) { (got.frames[1]?.count ?? 0) == 2 && (got.frames[2]?.count ?? 0) == 1 }
        #expect(got.frames[1]?.first?.contains("target=\"snapshot\"") == true)
        #expect(got.frames[1]?.last?.contains("after-snapshot") == true)
    }

    @Test func earlierPartsArriveInOrderWithLiveUpdates() throws {
        let held = HeldSnapshots()
        held.release.signal()
        let hub = Hub(snapshots: held)
        let got = Received()
        try hub.subscribe(1, to: "t")
        drain(hub, into: got) { got.frames[1]?.count == 1 }
        try hub.requestEarlier(1, in: "t", before: "42")
        // A second request while one is on its way is not taken.
        #expect(throws: Hub.Refusal.busy) { try hub.requestEarlier(1, in: "t", before: "42") }
        #expect(throws: Hub.Refusal.notFollowing) { try hub.requestEarlier(2, in: "t", before: "42") }
        hub.publish([.remove(target: "live")], to: "t")
        drain(hub, into: got) { got.frames[1]?.count == 3 }
        let frames = got.frames[1]!
        // The live frame and the earlier part are both there, each once; the earlier part's place follows its number.
        #expect(frames.filter { $0.contains("earlier-than-42") }.count == 1)
        #expect(frames.filter { $0.contains("live") }.count == 1)
    }

    @Test func aSocketMayWaitForOnlyItsShareOfSnapshots() throws {
        let held = HeldSnapshots()
        let hub = Hub(snapshots: held, configuration: HubConfiguration(snapshotsInFlightPerConnection: 3, snapshotThreads: 1))
        let got = Received()
        for stream in ["a", "b", "c"] { try hub.subscribe(1, to: stream) }
        #expect(throws: Hub.Refusal.tooManyInFlight) { try hub.subscribe(1, to: "d") }
        try hub.subscribe(2, to: "d")  // another socket has its own share
        #expect(hub.snapshotsInFlight(1) == 3)
        // One that has not started is skipped when its socket stops following the stream.
        held.started.wait()
        hub.unsubscribe(1, from: "c")
        held.release.signal()
        drain(hub, into: got) { hub.snapshotsInFlight(1) == 0 && hub.snapshotsInFlight(2) == 0 }
        #expect(!held.asked.current.contains("c"))
        #expect(got.frames[1]?.count == 2)
        try hub.subscribe(1, to: "d")
        drain(hub, into: got) { got.frames[1]?.count == 3 }
        #expect(hub.openGates == 0)
    }
}

/// A fence that records the streams it let through and checks that the hub's gate was not held yet.
final class RecordingFence: SnapshotFence, @unchecked Sendable {
    let passed = Locked<[String]>([])
    func fenced<Result>(_ stream: String, _ body: () -> Result) -> Result {
        passed.withLock { $0.append(stream) }
        return body()
    }
}

/// With several hosts: fresh snapshots when frames may have been missed, and the fence snapshots pass.
@Suite struct HubRelayTests {
    @Test func aRefreshGivesEveryFollowerOfTheStreamsAFreshSnapshotThenLiveFramesAgain() throws {
        let state = CounterState()
        let hub = Hub(snapshots: state, configuration: HubConfiguration(snapshotsInFlightPerConnection: 1))
        let got = Received()
        for stream in ["a", "b"] {
            try hub.subscribe(1, to: stream)
            drain(hub, into: got) { hub.snapshotsInFlight(1) == 0 }
        }
        try hub.subscribe(2, to: "a")
        drain(hub, into: got) { hub.snapshotsInFlight(2) == 0 }
        // Frames missed (published around the hub, as a lost relay would), then a refresh of "a" only.
        for _ in 0..<3 { state.increment("a", on: Hub()) }
        var charged: [ConnectionID: Double] = [:]
        hub.refresh(["a"])
        let frames = (got.frames[1]?.count ?? 0, got.frames[2]?.count ?? 0)
        let deadline = monotonicSeconds() + 10
        while (got.frames[1]?.count ?? 0) == frames.0 || (got.frames[2]?.count ?? 0) == frames.1, monotonicSeconds() < deadline {
            hub.drain(got.record) { charged[$0, default: 0] += $1 }
            usleep(1000)
        }
        #expect(got.values(1).last == 3 && got.values(2).last == 3)
        #expect(charged.isEmpty, "a refresh the socket did not ask for is not charged to it")
        // Outside the socket's share of snapshots in flight, and then live as before.
        #expect(hub.snapshotsInFlight(1) == 0)
        state.increment("a", on: hub)
        drain(hub, into: got) { got.values(1).last == 4 && got.values(2).last == 4 }
        // Every stream: "b" too.
        hub.refresh(nil)
        let before = got.frames[1]?.count ?? 0
        drain(hub, into: got) { (got.frames[1]?.count ?? 0) == before + 2 }
    }

    @Test func everySnapshotPassesTheFenceFirst() throws {
        let state = CounterState()
        let hub = Hub(snapshots: state)
        let fence = RecordingFence()
        hub.setFence(fence)
        let got = Received()
        try hub.subscribe(1, to: "a")
        drain(hub, into: got) { got.values(1) == [0] }
        #expect(fence.passed.current == ["a"])
        hub.setFence(nil)
        try hub.subscribe(1, to: "b")
        drain(hub, into: got) { got.values(1) == [0, 0] }
        #expect(fence.passed.current == ["a"])
    }
}

@Suite struct HubLifecycleTests {
    @Test func publishesWaitForTheServerAndStopAfterIt() throws {
        let hub = Hub()
        var frames = 0
        try hub.subscribe(1, to: "s")
        hub.publish([.remove(target: "a")], to: "s")  // before a server runs: queued
        hub.attach(wake: {})
        hub.drain { _, _ in frames += 1 }
        #expect(frames == 1)
        hub.detach()
        hub.publish([.remove(target: "b")], to: "s")  // after it stopped: dropped
        hub.drain { _, _ in frames += 1 }
        #expect(frames == 1)
    }
}
