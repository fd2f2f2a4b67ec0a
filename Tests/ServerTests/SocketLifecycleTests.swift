import Locking
import Testing
@testable import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct SocketLifecycleTests {
    @Test func aSlowSubscriberIsCutOffWithoutHurtingOthers() throws {
        let server = try TestServer { $0.maxQueuedBytes = 256 * 1024 }
        let slow = try server.subscriber(to: "thread/busy", receiveBuffer: 4096)
        let fast = try server.subscriber(to: "thread/busy")
        let payload = String(repeating: "y", count: 4000)
        let count = 3000, batch = 50
        // The publisher keeps a pace the fast reader can follow: a batch, then wait until it has been read.
        final class Progress: @unchecked Sendable {
            let lock = Lock()
            var seen = 0
        }
        let progress = Progress()
        let hub = server.hub
        let publisher = spawnThread {
            for start in stride(from: 0, to: count, by: batch) {
                for i in start..<start + batch {
                    hub.publish([.append(target: "m", html: "<p>\(i)</p>\(payload)")], to: "thread/busy")
                }
                try? waitFor("the fast reader", seconds: 30) { progress.lock.withLock { progress.seen >= start + batch } }
            }
        }
        var seen = 0
        while seen < count {
            let frame = try fast.nextText()
            for match in frame.matches(of: /<p>(\d+)<\/p>/) {
                #expect(Int(match.1)! == seen)
                seen += 1
            }
            progress.lock.withLock { progress.seen = seen }
        }
        publisher?.join()
        // The slow one, which never read, was dropped: reading now reaches the end of its stream.
        #expect(throws: ConnectionClosed.self) {
            while true { _ = try slow.next(seconds: 10) }
        }
    }

    @Test func gracefulShutdownClosesSocketsWith1001() throws {
        let server = try TestServer()
        let a = try server.subscriber(to: "thread/s"), b = try server.subscriber(to: "thread/t")
        let inner = server.server
        let stopper = spawnThread { inner.stop() }
        #expect(try a.waitForClose() == 1001)
        #expect(try b.waitForClose() == 1001)
        stopper?.join()
        #expect(throws: (any Error).self) { _ = try httpRequest(port: server.port, "/healthz") }
    }

    @Test func aDeadPeerIsPingedThenDropped() throws {
        let server = try TestServer { $0.pingAfterSeconds = 1; $0.hangUpAfterSeconds = 3 }
        let dead = try server.subscriber(to: "thread/p")
        dead.answerPings = false
        // The live one answers pings as it reads, on its own thread, until the marker arrives.
        final class Reader: @unchecked Sendable {
            let client: WebSocketClient
            var sawMarker = false
            init(_ client: WebSocketClient) { self.client = client }
        }
        let alive = Reader(try server.subscriber(to: "thread/p"))
        let reader = spawnThread {
            while let text = try? alive.client.nextText(seconds: 20) {
                if text.contains("alive") { alive.sawMarker = true; return }
            }
        }
        // The dead one is pinged, does not answer, and is dropped.
        if case .ping = try dead.next(seconds: 10) {} else { Issue.record("expected a ping") }
        #expect(throws: ConnectionClosed.self) {
            while true { _ = try dead.next(seconds: 10) }
        }
        // The live one, which answered its pings, still receives.
        server.hub.publish([.remove(target: "alive")], to: "thread/p")
        reader?.join()
        #expect(alive.sawMarker)
    }
}
