import Testing
@testable import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// permessage-deflate on the real server: the handshake, compressed frames down, compressed messages up.
@Suite(.serialized) struct DeflateTests {
    // MARK: The handshake

    /// The response's `Sec-WebSocket-Extensions` for each offer (nil: none, the socket is uncompressed).
    @Test(arguments: [
        (chromiumOffer, "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"),
        (firefoxOffer, "permessage-deflate; client_no_context_takeover"),
        // lws echoes what it understood of the offer; the rest is appended once.
        ("permessage-deflate; client_no_context_takeover; client_max_window_bits",
         "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"),
        ("permessage-deflate; server_no_context_takeover; client_max_window_bits",
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"),
        ("permessage-deflate; server_max_window_bits=12; client_max_window_bits=9",
         "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"),
        ("permessage-deflate; server_max_window_bits=8; client_max_window_bits", nil),
        ("permessage-deflate; mystery", nil),
        ("x-webkit-deflate-frame", nil),
        (nil, nil),
    ] as [(String?, String?)])
    func theHandshakeAnswersTheOffer(offer: String?, answer: String?) throws {
        let server = try TestServer()
        let client = try DeflateClient(port: server.port, offer: offer)
        #expect(client.socket.handshakeStatus == 101)
        #expect(client.extensions == answer)
    }

    @Test func withoutCompressionNothingIsNegotiated() throws {
        let server = try TestServer { $0.compression = nil }
        let client = try DeflateClient(port: server.port, offer: chromiumOffer)
        #expect(client.socket.handshakeStatus == 101)
        #expect(client.extensions == nil)
    }

    @Test func libwebsocketsDefaultsAnswerWithTheBareExtension() throws {
        let server = try TestServer { $0.compression = .libwebsocketsDefaults }
        let client = try DeflateClient(port: server.port, offer: chromiumOffer)
        #expect(client.extensions == "permessage-deflate")
    }

    // MARK: Frames down

    @Test(arguments: [chromiumOffer, firefoxOffer])
    func envelopesArriveCompressedAndInflateExactly(offer: String) throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/z", offer: offer)
        let sent = tokenEnvelopes(count: 30).map { StreamEnvelope.render([$0]) }
        var received: [WireMessage] = []
        for envelope in sent {
            server.hub.publish(rendered: envelope, to: "thread/z")
            received.append(try client.next())
        }
        #expect(received.map(\.text) == sent)
        #expect(received.allSatisfy { $0.compressed && $0.frames.count == 1 && $0.opcode == 1 })
        // Primed with what was sent before, small envelopes compress to a fraction of their size...
        let wire = received.map { $0.frames[0].payload.count }.reduce(0, +), plain = sent.map(\.utf8.count).reduce(0, +)
        #expect(wire * 3 < plain, "\(wire) B on the wire for \(plain) B")
        // ...because they refer back to earlier ones: alone, with a fresh inflater, later messages do not inflate.
        #expect(received.dropFirst().contains { (try? RawInflater().inflate($0.frames[0].payload)) != Array($0.payload) })
    }

    @Test func aClientThatForgetsBetweenMessagesGetsMessagesThatStandAlone() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/alone",
                                                  offer: "permessage-deflate; server_no_context_takeover; client_max_window_bits")
        let sent = tokenEnvelopes(count: 10).map { StreamEnvelope.render([$0]) }
        for envelope in sent {
            server.hub.publish(rendered: envelope, to: "thread/alone")
            let message = try client.next()
            #expect(message.text == envelope)
            #expect(try RawInflater().inflate(message.frames[0].payload) == Array(envelope.utf8))
        }
    }

    @Test func aClientThatOffersNothingGetsPlainFrames() throws {
        let server = try TestServer()
        let plain = try server.deflateSubscriber(to: "thread/p", offer: nil)
        let compressed = try server.deflateSubscriber(to: "thread/p")
        server.hub.publish([.append(target: "m", html: "<p>same words</p>")], to: "thread/p")
        let a = try plain.next(), b = try compressed.next()
        #expect(!a.compressed && a.frames[0].payload == a.payload)
        #expect(b.compressed)
        #expect(a.text == b.text)
        #expect(a.text == StreamEnvelope.append(target: "m", html: "<p>same words</p>").rendered)
    }

    @Test func framesCoalescedUpTo16KiBRoundTripExactly() throws {
        // Envelopes share a frame only when the server's writes back up behind a slow reader, which depends on how
        // fast this thread publishes against how fast the service thread writes (much slower under ThreadSanitizer
        // on a busy machine): every try must round-trip exactly, and one of three must coalesce.
        var largest = 0
        for _ in 0..<3 where largest <= 8 * 1024 {
            let server = try TestServer()
            // A small receive buffer: the server's writes back up, and queued envelopes share frames.
            let client = try server.deflateSubscriber(to: "thread/big", receiveBuffer: 4096)
            let sent = tokenEnvelopes(count: 400, wordsPerToken: 40).map { StreamEnvelope.render([$0]) }
            for envelope in sent { server.hub.publish(rendered: envelope, to: "thread/big") }
            let expected = sent.joined()
            var text = "", sizes: [Int] = []
            while text.utf8.count < expected.utf8.count {
                let message = try client.next()
                #expect(message.compressed)
                text += message.text
                sizes.append(message.payload.count)
            }
            #expect(text == expected)
            #expect(sizes.max()! <= ServiceLoop.coalesceLimit)
            largest = max(largest, sizes.max()!)
        }
        #expect(largest > 8 * 1024)
    }

    @Test func aLargeEnvelopeGoesOutAsOneCompressedFrame() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/large")
        var random = SplitMix(seed: 7)
        let html = String((0..<100_000).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789 <>/".randomElement(using: &random)! })
        let envelope = StreamEnvelope.append(target: "m", html: html).rendered
        server.hub.publish(rendered: envelope, to: "thread/large")
        let message = try client.next()
        #expect(message.text == envelope)
        // The server writes the whole compressed message as one frame (lws sends it in pieces as the socket takes it).
        #expect(message.frames.count == 1 && message.frames[0].rsv1)
    }

    /// The window the server compresses with is the one it announced: 10 bits when the client let it cap both,
    /// else 15. (At level 9 zlib finds the phrase 4 KB back whenever the window reaches it.)
    /// (The offers ask for messages that stand alone, so one can be inflated without the ones before it.)
    @Test(arguments: [(chromiumOffer + "; server_no_context_takeover", 10), (firefoxOffer + "; server_no_context_takeover", 15)])
    func theServerCompressesWithTheWindowItAnnounced(offer: String, bits: Int) throws {
        let server = try TestServer { $0.compression?.level = 9; $0.compression?.memoryLevel = 9 }
        let client = try server.deflateSubscriber(to: "thread/window", offer: offer)
        var random = SplitMix(seed: 7)
        let phrase = String((0..<300).map { _ in "abcdefghij".randomElement(using: &random)! })
        let filler = String((0..<4_000).map { _ in "klmnopqrstuvwxyz".randomElement(using: &random)! })
        let envelope = StreamEnvelope.append(target: "m", html: phrase + filler + phrase).rendered
        server.hub.publish(rendered: envelope, to: "thread/window")
        let compressed = Array(try client.next().frames.map(\.payload).joined())
        #expect(try RawInflater(windowBits: bits).inflate(compressed) == Array(envelope.utf8))
        if bits > 10 {
            #expect(throws: ZlibFailure.self) { try RawInflater(windowBits: 10).inflate(compressed) }
        }
    }

    // MARK: Messages up

    @Test func aCompressedMessageInPiecesIsReassembled() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/pieces")
        let message = #"{"op":"dance","note":"\#(String(repeating: "step ", count: 2_000))"}"#
        try client.socket.connection.write(Array(try client.compressedFrames(Array(message.utf8), pieces: 3).joined()))
        #expect(try client.next().text.contains("unknown_op"))
    }

    @Test func aFirefoxClientsFifteenBitWindowIsInflated() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/ff", offer: firefoxOffer)
        // A phrase repeated 20 KB later: the client's compressor reaches back farther than 10 bits.
        var random = SplitMix(seed: 3)
        let phrase = String((0..<300).map { _ in "abcdefghij".randomElement(using: &random)! })
        let filler = String((0..<20_000).map { _ in "klmnopqrstuvwxyz".randomElement(using: &random)! })
        try client.sendCompressed(#"{"op":"dance","a":"\#(phrase)\#(filler)\#(phrase)"}"#)
        #expect(try client.next().text.contains("unknown_op"))
    }

    /// The 64 KiB limit counts inflated bytes.
    @Test(arguments: [(65_536, nil), (65_537, 1009)] as [(Int, UInt16?)])
    func theMessageLimitHoldsForInflatedBytes(size: Int, close: UInt16?) throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/limit")
        let head = #"{"op":"dance","pad":""#, tail = #""}"#
        let message = head + String(repeating: " ", count: size - head.utf8.count - tail.utf8.count) + tail
        try client.sendCompressed(message)
        if let close {
            #expect(try client.waitForClose() == close)
        } else {
            #expect(try client.next().text.contains("unknown_op"))
        }
    }

    @Test func aZipBombClosesWith1009AndTheServerLives() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/bomb")
        // 16 MiB of spaces deflate to about 16 KB.
        let bomb = [UInt8](repeating: UInt8(ascii: " "), count: 16 * 1024 * 1024)
        let frames = try client.compressedFrames(bomb, pieces: 1)
        #expect(frames[0].count < 20_000)
        try client.socket.connection.write(frames[0])
        #expect(try client.waitForClose() == 1009)
        _ = try server.deflateSubscriber(to: "thread/bomb")
    }

    @Test func aCompressedFloodGetsOneNoticeThenIsClosedWith1008() throws {
        let server = try TestServer { $0.messageBurst = 5; $0.messagesPerSecond = 0.001 }
        let client = try server.deflateSubscriber(to: "thread/flood")
        let frames = try (0..<80).map { _ in try client.compressedFrames(Array(#"{"op":"dance"}"#.utf8), pieces: 1)[0] }
        try client.socket.connection.write(Array(frames.joined()))
        var codes: [String] = []
        var close: UInt16?
        while close == nil {
            let message = try client.next()
            if message.opcode == 8 { close = message.closeCode; break }
            codes += message.text.matches(of: /data-error="([a-z_]+)"/).map { String($0.1) }
        }
        #expect(close == 1008)
        #expect(codes.filter { $0 == "rate_limited" }.count <= 1)
        #expect(codes.filter { $0 == "unknown_op" }.count <= 4)
    }
}

/// `count` envelopes as an answer streams them: `append` of a few words to the message's last paragraph.
func tokenEnvelopes(count: Int, wordsPerToken: Int = 4, seed: UInt64 = 1) -> [StreamEnvelope] {
    let words = ["the", "server", "keeps", "one", "socket", "per", "tab", "and", "streams", "each", "answer", "as",
                 "small", "frames", "of", "html", "into", "the", "page", "while", "it", "is", "written"]
    var random = SplitMix(seed: seed)
    return (0..<count).map { _ in
        let text = (0..<Int.random(in: 1...wordsPerToken, using: &random)).map { _ in words.randomElement(using: &random)! }
        return .append(targets: "#message-content-12 > :last-child", html: HTML.escape(text.joined(separator: " ") + " "))
    }
}

/// A small seeded generator, so that failures repeat.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
