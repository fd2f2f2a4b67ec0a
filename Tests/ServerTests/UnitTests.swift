import Contracts
import Testing
@testable import Server
import TurboStream

@Suite struct ContentNegotiationTests {
    @Test(arguments: [
        (nil, false), ("gzip", true), ("gzip, deflate, br", true), ("br;q=1, gzip;q=0.5", true), ("gzip;q=0", false),
        ("identity", false), ("*", true), ("*;q=0", false), ("GZIP", true), ("x-gzip", true), ("gzip;q=0, *", false),
    ] as [(String?, Bool)])
    func acceptsGzip(header: String?, expected: Bool) {
        #expect(ContentNegotiation.acceptsGzip(header) == expected)
    }

    @Test(arguments: [
        (nil, false), ("\"abc\"", true), ("W/\"abc\"", true), ("\"x\", \"abc\"", true), ("*", true), ("\"abcd\"", false),
    ] as [(String?, Bool)])
    func ifNoneMatch(header: String?, expected: Bool) {
        #expect(ContentNegotiation.matches(ifNoneMatch: header, etag: "\"abc\"") == expected)
    }
}

@Suite struct RouterPathTests {
    @Test(arguments: [
        ("/", true), ("/assets/quarry.0123.css", true), ("/healthz", true), ("/a/../b", false), ("/./a", false),
        ("/%2e%2e/x", false), ("/a//b", false), ("/a\\b", false), ("relative", false), ("/a b", false), ("/é", false),
    ])
    func plainPaths(path: String, plain: Bool) {
        #expect(Router.isPlainPath(path) == plain)
    }
}

@Suite struct MessageSignerTests {
    let signer = MessageSigner(secret: Array(repeating: 7, count: 32), purpose: "stream")

    @Test(arguments: ["thread/1", "", "session/ünï--cödé", String(repeating: "x", count: 500)])
    func roundTrip(name: String) {
        #expect(signer.verify(signer.sign(name)) == name)
    }

    @Test func purposesDoNotMix() {
        let other = MessageSigner(secret: Array(repeating: 7, count: 32), purpose: "session")
        #expect(other.verify(signer.sign("thread/1")) == nil)
    }

    @Test func tamperingIsRefused() {
        let token = signer.sign("thread/1")
        let swapped = signer.sign("thread/2")
        let mixed = String(token.split(separator: "-", omittingEmptySubsequences: false).first!) + "--"
            + String(swapped.split(separator: "-").last!)
        for bad in [mixed, token + "0", String(token.dropLast()), token.uppercased(), "x" + token, token.replacing("--", with: "-")] {
            #expect(signer.verify(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct OriginPolicyTests {
    let policy = OriginPolicy(allowedOrigins: ["https://Kiosk.example.org/"])

    @Test(arguments: [
        (nil, "h:1", true), ("http://h:1", "h:1", true), ("https://h:1", "H:1", true), ("http://h:2", "h:1", false),
        ("null", "h:1", false), ("file://h:1", "h:1", false), ("https://kiosk.example.org", "h:1", true),
        ("http://evil.example", nil, false),
    ] as [(String?, String?, Bool)])
    func allows(origin: String?, host: String?, expected: Bool) {
        #expect(policy.allows(origin: origin, host: host) == expected)
    }
}

@Suite struct ClientMessageTests {
    @Test(arguments: [
        (#"{"op":"subscribe","stream":"s"}"#, ClientMessage.subscribe(stream: "s")),
        (#"{"op":"unsubscribe","stream":"s"}"#, .unsubscribe(stream: "s")),
        (#"{"op":"ask","content":"hi","thread":"3"}"#, .ask(thread: "3", content: "hi")),
        (#"{"op":"ask","content":"hi"}"#, .ask(thread: nil, content: "hi")),
        (#"{"op":"stop","message":"9","extra":[1,{"x":null}]}"#, .stop(message: "9")),
    ])
    func decodes(json: String, expected: ClientMessage) throws {
        #expect(try ClientMessage.decode(Array(json.utf8)).get() == expected)
    }

    @Test(arguments: [
        ("", Wire.ErrorCode.badJSON), ("{", .badJSON), ("\"op\"", .badJSON), ("{}", .missingField),
        (#"{"op":1}"#, .badField), (#"{"op":"ask"}"#, .missingField), (#"{"op":"x"}"#, .unknownOp),
        (String(repeating: "[", count: 5000), .badJSON),
    ])
    func rejects(json: String, code: Wire.ErrorCode) {
        guard case .failure(let rejection) = ClientMessage.decode(Array(json.utf8)) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(rejection.code == code)
    }
}

@Suite struct FrameQueueTests {
    @Test func coalescesUpToTheLimitAndKeepsOrder() {
        var queue = FrameQueue()
        for i in 0..<10 { queue.append([UInt8](repeating: UInt8(i), count: 100)) }
        #expect(queue.bytes == 1000 && queue.count == 10)
        var out: [[UInt8]] = []
        let taken = queue.popCoalescing(upTo: 350) { out.append($0) }
        #expect(taken == 300 && out.map { $0[0] } == [0, 1, 2])
        #expect(queue.count == 7 && queue.bytes == 700)
        var big = FrameQueue()
        big.append([UInt8](repeating: 1, count: 1000))
        #expect(big.popCoalescing(upTo: 10) { _ in } == 1000, "one oversized frame still goes")
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenRateWithOneNoticePerWindow() {
        var bucket = TokenBucket(burst: 3, rate: 2, now: 0)
        var verdicts: [TokenBucket.Verdict] = []
        for _ in 0..<5 { verdicts.append(bucket.take(now: 0)) }
        #expect(verdicts == [.accept, .accept, .accept, .refuse(notify: true), .refuse(notify: false)])
        // A refill lets one through, and the refusals after it earn no second notice in the same window.
        verdicts = [bucket.take(now: 0.5), bucket.take(now: 0.5)]
        #expect(verdicts == [.accept, .refuse(notify: false)])
        // A new window: notified again.
        _ = bucket.take(now: 20)
        _ = bucket.take(now: 20)
        _ = bucket.take(now: 20)
        #expect(bucket.take(now: 20) == .refuse(notify: true))
    }

    @Test func aFloodIsClosedEvenWhileTokensTrickleIn() {
        var bucket = TokenBucket(burst: 4, rate: 10, now: 0)
        var now = 0.0, closed = false
        // 200 messages a second: ten a second get through, the rest are refused, and the refusals add up.
        for _ in 0..<2000 where !closed {
            now += 0.005
            closed = bucket.take(now: now) == .refuseAndClose
        }
        #expect(closed)
    }
}

@Suite struct HostPolicyTests {
    let policy = HostPolicy(allowedOrigins: ["https://kiosk.example.org"], machineName: "pi")

    @Test(arguments: [
        (nil, true), ("127.0.0.1:8080", true), ("localhost:8080", true), ("LOCALHOST", true), ("[::1]:8080", true),
        ("192.168.1.20", true), ("pi:8080", true), ("pi.local", true), ("kiosk.example.org", true),
        ("attacker.example:8080", false), ("127.0.0.1.attacker.example", false), ("999.1.1.1", false),
        ("[nothex]", false), ("", false),
    ] as [(String?, Bool)])
    func allows(host: String?, expected: Bool) {
        #expect(policy.allows(host: host) == expected)
    }
}

@Suite struct StreamAccessTests {
    @Test func sessionStreamsBelongToTheirSession() {
        let mine = SessionID(rawValue: "abc")
        #expect(StreamAccess.allows("session/abc", session: mine))
        #expect(StreamAccess.allows("session/abc/threads", session: mine))
        #expect(!StreamAccess.allows("session/abd", session: mine))
        #expect(!StreamAccess.allows("session/abc", session: nil))
        #expect(StreamAccess.allows("thread/1", session: nil))
    }
}

@Suite struct LogLimiterTests {
    @Test func aFewPerKindThenACountOfWhatWasLeftOut() {
        var limiter = LogLimiter(burst: 2, interval: 60)
        var allowed = (0..<5).map { _ in limiter.admit("x", now: 0).allowed }
        #expect(allowed == [true, true, false, false, false])
        #expect(limiter.admit("y", now: 0).allowed, "kinds are counted apart")
        let next = limiter.admit("x", now: 61)
        #expect(next.allowed && next.suppressed == 3)
        allowed = [limiter.admit("x", now: 61).allowed, limiter.admit("x", now: 61).allowed]
        #expect(allowed == [true, false])
    }
}
