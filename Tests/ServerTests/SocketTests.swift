import Locking
import Testing
@testable import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct SocketTests {
    @Test func subscriberReceivesEnvelopesPublishedFromAnotherThreadInOrder() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/1")
        let hub = server.hub
        let publisher = spawnThread {
            for i in 0..<200 { hub.publish([.append(target: "messages", html: "<p>\(i)</p>")], to: "thread/1") }
        }
        var received: [Int] = []
        while received.count < 200 {
            let frame = try client.nextText()
            for match in frame.matches(of: /<p>(\d+)<\/p>/) { received.append(Int(match.1)!) }
        }
        #expect(received == Array(0..<200))
        publisher?.join()
    }

    @Test func aTamperedNameIsRefusedAndNeverSubscribes() throws {
        let server = try TestServer()
        let client = try WebSocketClient(port: server.port)
        #expect(client.handshakeStatus == 101)
        let signed = server.streamNames.signed("thread/secret")
        var tampered = Array(signed.utf8)
        tampered[tampered.count - 1] = tampered.last == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let forgedName = StreamNames(secret: Array("another-secret-another-secret-xx".utf8)).signed("thread/secret")
        for name in [String(decoding: tampered, as: UTF8.self), forgedName, "thread/secret", "", "--", "a--b"] {
            try client.send(#"{"op":"subscribe","stream":"\#(name)"}"#)
            let reply = try client.nextText()
            #expect(reply.contains(#"data-error="bad_signature""#), "\(name)")
        }
        server.hub.publish([.append(target: "messages", html: "<p>secret</p>")], to: "thread/secret")
        // The socket still works, and the secret stream's envelope never arrives before this one.
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("thread/open"))"}"#)
        #expect(try client.nextText().contains("target=\"subscribed\""))
        server.hub.publish([.append(target: "messages", html: "<p>open</p>")], to: "thread/open")
        #expect(try client.nextText().contains("<p>open</p>"))
    }

    @Test func twoStreamsStayIsolated() throws {
        let server = try TestServer()
        let a = try server.subscriber(to: "thread/a"), b = try server.subscriber(to: "thread/b")
        server.hub.publish([.append(target: "messages", html: "<p>for a</p>")], to: "thread/a")
        server.hub.publish([.append(target: "messages", html: "<p>for b</p>")], to: "thread/b")
        #expect(try a.nextText().contains("for a"))
        #expect(try b.nextText().contains("for b"))
        // Neither got the other's: the next thing each sees is a marker sent to it alone.
        server.hub.publish([.remove(target: "marker")], to: "thread/a")
        server.hub.publish([.remove(target: "marker")], to: "thread/b")
        #expect(try a.nextText().contains("marker"))
        #expect(try b.nextText().contains("marker"))
    }

    @Test func unsubscribeStopsDelivery() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/u")
        try client.send(#"{"op":"unsubscribe","stream":"\#(server.streamNames.signed("thread/u"))"}"#)
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("thread/v"))"}"#)
        #expect(try client.nextText().contains("thread/v"))
        server.hub.publish([.remove(target: "u")], to: "thread/u")
        server.hub.publish([.remove(target: "v")], to: "thread/v")
        #expect(try client.nextText().contains("target=\"v\""))
    }

    @Test(arguments: [
        ("not json", "bad_json"), ("[1,2]", "bad_json"), (#"{"op":"dance"}"#, "unknown_op"),
        (#"{"stream":"x"}"#, "missing_field"), (#"{"op":"subscribe"}"#, "missing_field"),
        (#"{"op":"subscribe","stream":42}"#, "bad_field"), (#"{"op":"ask","content":"hi"}"#, "unavailable"),
        (#"{"op":"stop","message":"1"}"#, "unavailable"), ("{\"op\":\"<script>alert(1)</script>\"}", "unknown_op"),
    ])
    func badMessagesGetAnErrorAndTheSocketKeepsWorking(message: String, code: String) throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/ok")
        try client.send(message)
        let reply = try client.nextText()
        #expect(reply.contains(#"data-error="\#(code)""#), "\(reply)")
        #expect(!reply.contains("<script>"), "echoed text is escaped")
        server.hub.publish([.remove(target: "still-here")], to: "thread/ok")
        #expect(try client.nextText().contains("still-here"))
    }

    @Test func binaryFramesGetAnError() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/bin")
        try client.sendFrame(opcode: 2, payload: [1, 2, 3])
        #expect(try client.nextText().contains(#"data-error="binary_frame""#))
    }

    @Test func oversizedMessageClosesWith1009() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/big")
        try client.send(String(repeating: "x", count: 64 * 1024 + 1))
        #expect(try client.waitForClose() == 1009)
    }

    @Test func oversizedFragmentedMessageClosesWith1009() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/big")
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 20 * 1024)
        try client.sendFrame(opcode: 1, payload: piece, fin: false)
        for _ in 0..<3 { try client.sendFrame(opcode: 0, payload: piece, fin: false) }
        #expect(try client.waitForClose() == 1009)
    }

    @Test func aMessageJustUnderTheLimitIsFine() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/edge")
        let padding = String(repeating: " ", count: 64 * 1024 - 20)
        try client.send(#"{"op":"dance"}"# + padding)
        #expect(try client.nextText().contains("unknown_op"))
    }

    @Test func tooFastIsRateLimited() throws {
        let server = try TestServer { $0.messageBurst = 5; $0.messagesPerSecond = 0.001 }
        let client = try server.subscriber(to: "thread/fast")
        for _ in 0..<10 { try client.send(#"{"op":"dance"}"#) }
        // Replies may share frames: collect envelopes, not frames.
        var codes: [String] = []
        while codes.count < 5 {
            codes += try client.nextText().matches(of: /data-error="([a-z_]+)"/).map { String($0.1) }
        }
        #expect(codes.count == 5)
        #expect(codes == Array(repeating: "unknown_op", count: 4) + ["rate_limited"])
    }

    @Test func subscriptionsPerSocketAreCapped() throws {
        let server = try TestServer { $0.maxSubscriptionsPerConnection = 2 }
        let client = try server.subscriber(to: "s/1")
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("s/2"))"}"#)
        #expect(try client.nextText().contains("s/2"))
        try client.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("s/3"))"}"#)
        #expect(try client.nextText().contains("too_many_subscriptions"))
    }
}
