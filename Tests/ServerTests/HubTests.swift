import Testing
@testable import Server
import TurboStream

/// Snapshots over a counter that publishers change inside `publish(to:)`.
final class CounterState: StreamSnapshots, @unchecked Sendable {
    var value = 0  // changed only under the hub's lock, through publish(to:)
    func snapshot(of stream: String) -> [StreamEnvelope] { [.update(target: "n", html: "\(value)")] }
}

@Suite struct HubTests {
    @Test func deliversInPublishOrderToSubscribersOnly() {
        let hub = Hub()
        var got: [ConnectionID: [String]] = [:]
        let record = { (id: ConnectionID, frame: Hub.Frame) in got[id, default: []].append(String(decoding: frame, as: UTF8.self)) }
        hub.subscribe(1, to: "a", record)
        hub.subscribe(2, to: "b", record)
        hub.publish([.remove(target: "1")], to: "a")
        hub.publish([.remove(target: "2")], to: "b")
        hub.publish([.remove(target: "3")], to: "a")
        hub.send([.remove(target: "direct")], to: 2)
        hub.drain(record)
        #expect(got[1]?.map { $0.contains("\"1\"") || $0.contains("\"3\"") } == [true, true])
        #expect(got[1]?.first?.contains("\"1\"") == true)
        #expect(got[2]?.count == 2 && got[2]?.last?.contains("direct") == true)
        hub.unsubscribe(1, from: "a")
        hub.publish([.remove(target: "4")], to: "a")
        hub.drain(record)
        #expect(got[1]?.count == 2)
    }

    @Test func snapshotAndLiveUpdatesMeetWithoutGapOrDuplicate() {
        let state = CounterState()
        let hub = Hub(snapshots: state)
        var frames: [String] = []
        let record = { (_: ConnectionID, frame: Hub.Frame) in frames.append(String(decoding: frame, as: UTF8.self)) }
        // Published before the subscribe: in the snapshot, not delivered again.
        for _ in 0..<3 { hub.publish(to: "c") { state.value += 1; return [.update(target: "n", html: "\(state.value)")] } }
        hub.subscribe(7, to: "c", record)
        for _ in 0..<2 { hub.publish(to: "c") { state.value += 1; return [.update(target: "n", html: "\(state.value)")] } }
        hub.drain(record)
        let values = frames.compactMap { $0.firstMatch(of: /<template>(\d+)<\/template>/).map { Int($0.1)! } }
        #expect(values == [3, 4, 5])
    }
}

@Suite struct HubLifecycleTests {
    @Test func publishesWaitForTheServerAndStopAfterIt() {
        let hub = Hub()
        var frames = 0
        hub.subscribe(1, to: "s") { _, _ in frames += 1 }
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
