import Testing
@testable import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// Fair shares per client address: one address trickling headers, holding sockets or filling the
/// half-received-message budget leaves room for everyone else. Other clients connect from 127.0.0.2.
@Suite(.serialized) struct PeerLimitTests {
    static let attacker = "127.0.0.2"

    /// Opens a connection from `source` and sends the start of a request's headers.
    private func trickler(_ port: Int, source: String = attacker) throws -> TCPConnection {
        let connection = try TCPConnection(port: port, source: source)
        try connection.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        return connection
    }

    /// Whether the server has ended `connection` (waiting up to `seconds` for it to).
    private func isClosed(_ connection: TCPConnection, seconds: Double = 5) -> Bool {
        (try? connection.readToEnd(seconds: seconds)) != nil
    }

    // MARK: slow headers

    @Test func headersStillTricklingAtTheHeaderDeadlineAreDropped() throws {
        let server = try TestServer { $0.headerDeadlineSeconds = 1 }
        let connection = try trickler(server.port)
        // A byte every 200 ms does not buy more time: the deadline runs from the request's first byte.
        var closed = false
        for _ in 0..<25 where !closed {
            do {
                try connection.fill(seconds: 0.2, what: "the server")
            } catch is ConnectionClosed {
                closed = true
            } catch is TestTimeout {
                closed = (try? connection.write("x")) == nil
            }
        }
        #expect(closed)
    }

    @Test func oneAddressTricklingHeadersCannotTakeEveryHeaderSlot() throws {
        let server = try TestServer {
            $0.headerSlots = 8
            $0.maxPendingHeadersPerPeer = 4
            $0.headerDeadlineSeconds = 60
        }
        let held = try (0..<4).map { _ in try trickler(server.port) }
        let refused = try (0..<6).map { _ in try trickler(server.port) }
        // Everyone else is served while the attack's headers are still trickling (they would be given 60 s).
        let page = try httpRequest(port: server.port, "/healthz")
        #expect(page.status == 200)
        for connection in refused { #expect(isClosed(connection)) }
        for connection in held { #expect(!isClosed(connection, seconds: 0.05)) }
    }

    @Test func aConnectionIdleAfterAResponseCountsAsWaitingForHeaders() throws {
        let server = try TestServer { $0.maxPendingHeadersPerPeer = 1 }
        let kept = try TCPConnection(port: server.port, source: Self.attacker)
        try kept.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        _ = try kept.take(until: Array("{\"status\":\"ok\"}".utf8))
        // The kept-alive connection could trickle its next request: it holds the address's one place.
        #expect(isClosed(try trickler(server.port)))
        #expect(try httpRequest(port: server.port, "/healthz").status == 200)
    }

    // MARK: sockets per address

    @Test func oneAddressCannotHoldEverySocket() throws {
        let server = try TestServer { $0.maxConnections = 5; $0.maxConnectionsPerPeer = 3 }
        let held = try (0..<3).map { _ in try server.subscriber(to: "thread/held", source: Self.attacker) }
        let refused = try (0..<2).map { _ in try WebSocketClient(port: server.port, source: Self.attacker) }
        #expect(refused.map(\.handshakeStatus) == [429, 429])
        #expect(refused[0].handshakeHead.contains("429"))
        let newcomer = try server.subscriber(to: "thread/newcomer")
        server.hub.publish([.remove(target: "hello")], to: "thread/newcomer")
        #expect(try newcomer.nextText().contains("hello"))
        #expect(held.count == 3)
    }

    @Test func aSocketThatNeverSubscribesIsClosedAfterTheGracePeriod() throws {
        let server = try TestServer { $0.subscribeGraceSeconds = 1 }
        let subscribed = try server.subscriber(to: "thread/busy")
        let idle = try WebSocketClient(port: server.port)
        #expect(idle.handshakeStatus == 101)
        #expect(try idle.waitForClose() == 1008)
        server.hub.publish([.remove(target: "still-here")], to: "thread/busy")
        #expect(try subscribed.nextText().contains("still-here"))
    }

    // MARK: half-received messages

    @Test func aFullBudgetClosesTheSocketHoldingTheMostNotTheNewcomer() throws {
        let server = try TestServer { $0.maxPartialBytesTotal = 100_000 }
        let hog = try server.subscriber(to: "thread/hog", source: Self.attacker)
        let other = try server.subscriber(to: "thread/hog2", source: Self.attacker)
        try hog.sendFrame(opcode: 1, payload: [UInt8](repeating: 0x20, count: 60_000), fin: false)
        try other.sendFrame(opcode: 1, payload: [UInt8](repeating: 0x20, count: 39_000), fin: false)
        try other.sendFrame(opcode: 0, payload: [], fin: false)
        server.hub.publish([.remove(target: "other-marker")], to: "thread/hog2")
        #expect(try other.nextText().contains("other-marker"))
        // A person's 2.8 KB question, in the pieces a browser might send it in.
        let person = try server.subscriber(to: "thread/person")
        let question = #"{"op":"dance","content":""# + String(repeating: "q", count: 2_800) + #""}"#
        let bytes = Array(question.utf8)
        try person.sendFrame(opcode: 1, payload: Array(bytes[..<1_400]), fin: false)
        try person.sendFrame(opcode: 0, payload: Array(bytes[1_400...]))
        #expect(try person.nextText().contains("unknown_op"))
        #expect(try hog.waitForClose() == 1013)
    }

    @Test func oneAddressPastItsShareLosesItsBiggestSocket() throws {
        let server = try TestServer { $0.maxPartialBytesPerPeer = 60_000 }
        let bigger = try server.subscriber(to: "thread/x", source: Self.attacker)
        let smaller = try server.subscriber(to: "thread/y", source: Self.attacker)
        let bystander = try server.subscriber(to: "thread/z")
        try bigger.sendFrame(opcode: 1, payload: [UInt8](repeating: 0x20, count: 40_000), fin: false)
        try bigger.sendFrame(opcode: 0, payload: [], fin: false)
        server.hub.publish([.remove(target: "x-marker")], to: "thread/x")
        #expect(try bigger.nextText().contains("x-marker"))
        try bystander.sendFrame(opcode: 1, payload: [UInt8](repeating: 0x20, count: 30_000), fin: false)
        try smaller.sendFrame(opcode: 1, payload: [UInt8](repeating: 0x20, count: 30_000), fin: false)
        #expect(try bigger.waitForClose() == 1013)
        try smaller.sendFrame(opcode: 0, payload: Array(#"{"op":"dance"}"#.utf8))
        #expect(try smaller.nextText().contains("unknown_op"))
        try bystander.sendFrame(opcode: 0, payload: Array(#"{"op":"dance"}"#.utf8))
        #expect(try bystander.nextText().contains("unknown_op"))
    }
}
