import Testing
@testable import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// What a hostile client might try, and what it gets.
@Suite(.serialized) struct HostileClientTests {
    @Test func aFrameAnnouncingAnEnormousLengthClosesWith1009AndTheServerLives() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/h")
        try client.sendFrame(opcode: 1, payload: Array(repeating: UInt8(ascii: "x"), count: 100), fin: false)
        // A continuation frame claiming 2^63 - 1 bytes.
        try client.connection.write([0x80, 0x80 | 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 9, 9])
        #expect(try client.waitForClose() == 1009)
        _ = try server.subscriber(to: "thread/h")
    }

    @Test func aMessageLeftHalfFinishedIsDropped() throws {
        let server = try TestServer { $0.messageDeadlineSeconds = 1 }
        let client = try server.subscriber(to: "thread/slowloris")
        try client.sendFrame(opcode: 1, payload: Array("{\"op\":".utf8), fin: false)
        #expect(throws: ConnectionClosed.self) {
            while true { _ = try client.next(seconds: 10) }
        }
    }

    @Test func aMessageFinishedInTimeIsFine() throws {
        let server = try TestServer { $0.messageDeadlineSeconds = 2 }
        let client = try server.subscriber(to: "thread/pieces")
        try client.sendFrame(opcode: 1, payload: Array("{\"op\":".utf8), fin: false)
        try client.sendFrame(opcode: 0, payload: Array("\"dance\"}".utf8))
        #expect(try client.nextText().contains("unknown_op"))
        // The deadline was cleared: the socket is still there well after it would have passed.
        usleep(2_500_000)
        server.hub.publish([.remove(target: "later")], to: "thread/pieces")
        #expect(try client.nextText().contains("later"))
    }

    @Test func halfReceivedBytesHaveAServerWideBudgetAndTheBiggestHolderGoes() throws {
        let server = try TestServer { $0.maxPartialBytesTotal = 100_000 }
        let a = try server.subscriber(to: "thread/a"), b = try server.subscriber(to: "thread/b")
        let piece = [UInt8](repeating: UInt8(ascii: " "), count: 60_000)
        try a.sendFrame(opcode: 1, payload: piece, fin: false)
        try a.sendFrame(opcode: 0, payload: [], fin: false)  // a's bytes are surely held before b starts
        server.hub.publish([.remove(target: "a-marker")], to: "thread/a")
        #expect(try a.nextText().contains("a-marker"))
        // b passes the budget while a holds more: a is the one closed, and b's message goes through.
        try b.sendFrame(opcode: 1, payload: piece, fin: false)
        #expect(try a.waitForClose() == 1013)
        try b.sendFrame(opcode: 0, payload: Array(#"{"op":"dance"}"#.utf8))
        #expect(try b.nextText().contains("unknown_op"))
    }

    @Test func aFloodGetsOneNoticeThenIsClosedWith1008() throws {
        let server = try TestServer { $0.messageBurst = 5; $0.messagesPerSecond = 0.001 }
        let client = try server.subscriber(to: "thread/flood")
        // All in one write: the server may close mid-flood, and a later write would then fail on our side.
        let one = try client.frame(opcode: 1, payload: Array(#"{"op":"dance"}"#.utf8))
        try client.connection.write(Array((0..<80).map { _ in one }.joined()))
        var codes: [String] = []
        var close: UInt16?
        while close == nil {
            switch try client.next() {
            case .text(let text): codes += text.matches(of: /data-error="([a-z_]+)"/).map { String($0.1) }
            case .close(let code, _): close = code
            default: break
            }
        }
        #expect(close == 1008)
        // Replies still queued when the flood is cut off are dropped with the socket; there is never a second notice.
        #expect(codes.filter { $0 == "rate_limited" }.count <= 1)
        #expect(codes.filter { $0 == "unknown_op" }.count <= 4)
    }

    @Test func subscribingTwiceSendsNothingTwice() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/twice")
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("thread/twice"))"}"#)
        try client.send(#"{"op":"dance"}"#)
        var envelopes: [String] = []
        while !envelopes.contains(where: { $0.contains("unknown_op") }) {
            envelopes += try client.nextText().split(separator: "</turbo-stream>").map(String.init)
        }
        server.hub.publish([.remove(target: "once")], to: "thread/twice")
        envelopes += try client.nextText().split(separator: "</turbo-stream>").map(String.init)
        #expect(!envelopes.contains { $0.contains("target=\"subscribed\"") }, "no second snapshot")
        #expect(envelopes.filter { $0.contains("once") }.count == 1)
    }

    @Test func sessionStreamsFollowOnlyWithTheirSessionCookie() throws {
        let server = try TestServer()
        let page = try httpRequest(port: server.port, "/")
        let cookie = String(try #require(page.header("set-cookie")).split(separator: ";")[0])
        let signed = try #require(page.text.firstMatch(of: /signed-stream-name="([^"]+)"/)).1
        let subscribe = #"{"op":"subscribe","stream":"\#(signed)"}"#
        let stranger = try WebSocketClient(port: server.port)
        try stranger.send(subscribe)
        #expect(try stranger.nextText().contains(#"data-error="forbidden""#))
        let owner = try WebSocketClient(port: server.port, headers: [("Cookie", cookie)])
        try owner.send(subscribe)
        #expect(try owner.nextText().contains("target=\"subscribed\""))
    }

    @Test func anotherHostNameIsRefused() throws {
        let server = try TestServer()
        let page = try httpRequest(port: server.port, "/", headers: [("Host", "attacker.example:\(server.port)")])
        #expect(page.status == 421)
        let socket = try WebSocketClient(port: server.port, headers: [
            ("Host", "attacker.example"), ("Origin", "http://attacker.example"),
        ])
        #expect(socket.handshakeStatus == 403)
    }

    @Test func connectAndH2CUpgradesAreHungUpOn() throws {
        let server = try TestServer()
        for request in [
            "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
        ] {
            let connection = try TCPConnection(port: server.port)
            try connection.write(request)
            let reply = String(decoding: try connection.readToEnd(), as: UTF8.self)
            #expect(!reply.contains("101"), "\(request)")
        }
        #expect(try httpRequest(port: server.port, "/healthz").status == 200)
    }
}
