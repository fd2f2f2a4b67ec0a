// quarry-socket-bench: a Server whose one stream is published to on command, for tools/bench/socket_bench.py.
//
// Usage: quarry-socket-bench [--port N] [--compression NAME]
//   --port         default 0: any free port; always 127.0.0.1
//   --compression  permessage-deflate for clients that offer it: standard (the default, Quarry's setting),
//                  keep-context (standard, but the server keeps its compressor between messages),
//                  libwebsockets (what lws does left alone), off
//
// On start it prints one JSON line: {"port":P,"stream":"<signed name of the bench stream>"}.
// Then it reads commands on stdin, one per line:
//   publish <count> <bytes> <interval_ms>   publishes `count` envelopes of `bytes` bytes each (rendered) to the
//                                           bench stream, one every `interval_ms`, through `hub.publish` from this
//                                           (main) thread; prints `done` when the last one is handed to the hub.
//   tokens <count> <interval_ms>             publishes `count` envelopes as an answer streams them, one every
//                                           `interval_ms`: `append` of 1 to 4 words to the last paragraph of
//                                           `#message-content-12` (about 110 bytes each; the same words every run);
//                                           prints `done` when the last one is handed to the hub.
//   quit                                    stops the server and exits (so does end of input).
//
// Each envelope is `<turbo-stream action="append" target="bench"><template><p data-seq="S" data-t="T">…` where
// S counts from 0 over the process's life and T is the publish time in ns on CLOCK_MONOTONIC (Python's
// time.monotonic_ns() reads the same clock), padded with "x" to the requested size.
// A subscriber's snapshot is one small envelope carrying `data-subscribed`, so a client knows it is subscribed.
import Contracts
import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// The stream every bench client follows.
let benchStream = "bench"

/// Gives every new subscriber one small envelope: proof that its subscribe was processed.
struct SubscribedMarker: StreamSnapshots {
    func snapshot(of stream: String) -> [StreamEnvelope] {
        [.update(target: "bench-status", html: "<p data-subscribed=\"1\"></p>")]
    }
}

/// Nanoseconds on CLOCK_MONOTONIC.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Sleeps until `deadline` (ns on CLOCK_MONOTONIC): absolute deadlines keep the interval steady without drift.
func sleep(untilNanoseconds deadline: UInt64) {
    var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
}

/// One envelope of exactly `bytes` rendered bytes (or the smallest possible, if `bytes` is smaller).
func envelope(sequence: Int, publishedAt nanoseconds: UInt64, bytes: Int) -> StreamEnvelope {
    let head = "<p data-seq=\"\(sequence)\" data-t=\"\(nanoseconds)\">"
    let unpadded = StreamEnvelope.append(target: benchStream, html: head + "</p>").rendered.utf8.count
    let padding = String(repeating: "x", count: max(0, bytes - unpadded))
    return .append(target: benchStream, html: head + padding + "</p>")
}

/// Publishes `count` envelopes of `bytes` bytes, one every `intervalMilliseconds`.
func publish(to hub: Hub, count: Int, bytes: Int, intervalMilliseconds: Double, sequence: inout Int) {
    let interval = UInt64(max(0, intervalMilliseconds) * 1_000_000)
    var next = monotonicNanoseconds()
    for _ in 0..<count {
        sleep(untilNanoseconds: next)
        let now = monotonicNanoseconds()
        hub.publish([envelope(sequence: sequence, publishedAt: now, bytes: bytes)], to: benchStream)
        sequence += 1
        next += interval
    }
}

/// The words of `tokens`, and a fixed generator, so that every run streams the same text.
let tokenWords = ["the", "server", "keeps", "one", "socket", "per", "tab", "and", "streams", "each", "answer", "as",
                  "small", "frames", "of", "html", "into", "the", "page", "while", "it", "is", "written", "by", "a",
                  "model", "that", "reads", "your", "documents", "first"]

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Publishes `count` streamed-answer envelopes, one every `intervalMilliseconds`.
func publishTokens(to hub: Hub, count: Int, intervalMilliseconds: Double, random: inout SplitMix) {
    let interval = UInt64(max(0, intervalMilliseconds) * 1_000_000)
    var next = monotonicNanoseconds()
    for _ in 0..<count {
        sleep(untilNanoseconds: next)
        let words = (0..<Int.random(in: 1...4, using: &random)).map { _ in tokenWords.randomElement(using: &random)! }
        let text = HTML.escape(words.joined(separator: " ") + " ")
        hub.publish([.append(targets: "#message-content-12 > :last-child", html: text)], to: benchStream)
        next += interval
    }
}

/// Writes one line to stdout at once, with write(2): stdout is a pipe (block-buffered), and fflush(nil) would
/// also lock stdin, which readLine holds while it waits.
func say(_ line: String) {
    let text = Array((line + "\n").utf8)
    _ = write(STDOUT_FILENO, text, text.count)
}

func fail(_ message: String) -> Never {
    let text = Array("quarry-socket-bench: \(message)\n".utf8)
    _ = write(STDERR_FILENO, text, text.count)
    exit(2)
}

// MARK: Start

var port = 0
var compression: SocketCompression? = .standard
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--port":
        guard let value = arguments.popFirst().flatMap({ Int($0) }) else { fail("--port needs a number") }
        port = value
    case "--compression":
        switch arguments.popFirst() {
        case "standard": compression = .standard
        case "unprimed": compression = SocketCompression(primed: false)
        case "keep-context": compression = SocketCompression(keepsContext: true, primed: false)
        case "libwebsockets": compression = .libwebsocketsDefaults
        case "off": compression = nil
        default: fail("--compression is one of standard, unprimed, keep-context, libwebsockets, off")
        }
    default:
        fail("unknown argument \(argument) (usage: quarry-socket-bench [--port N] [--compression NAME])")
    }
}

signal(SIGPIPE, SIG_IGN)
// A fixed secret: the bench needs no security, only a stream name the server accepts.
let secret = [UInt8](repeating: 0x5A, count: 32)
// Room for every bench socket and no rate limit in the way; the outbox limits stay at their defaults, so a
// subscriber that falls behind is dropped as in production (and the driver counts its messages as lost).
let configuration = ServerConfiguration(
    host: "127.0.0.1",
    port: port,
    maxConnections: 12_000,
    // Every socket of the benchmark comes from 127.0.0.1.
    maxConnectionsPerPeer: 12_000,
    maxPendingHeadersPerPeer: 12_000,
    messageBurst: 1_000_000,
    messagesPerSecond: 1_000_000,
    compression: compression
)
let server = Server(configuration: configuration, secret: secret, hub: Hub(snapshots: SubscribedMarker()))
do {
    try server.start()
} catch {
    fail("\(error)")
}
say("{\"port\":\(server.port),\"stream\":\"\(StreamNames(secret: secret).signed(benchStream))\"}")

// MARK: Commands

var sequence = 0
var tokenRandom = SplitMix(state: 1)
commands: while let line = readLine() {
    let words = line.split(separator: " ")
    switch words.first {
    case "publish":
        guard words.count == 4, let count = Int(words[1]), let bytes = Int(words[2]),
              let interval = Double(words[3]), count >= 0, bytes >= 0
        else {
            say("error usage: publish <count> <bytes> <interval_ms>")
            continue
        }
        publish(to: server.hub, count: count, bytes: bytes, intervalMilliseconds: interval, sequence: &sequence)
        say("done")
    case "tokens":
        guard words.count == 3, let count = Int(words[1]), let interval = Double(words[2]), count >= 0 else {
            say("error usage: tokens <count> <interval_ms>")
            continue
        }
        publishTokens(to: server.hub, count: count, intervalMilliseconds: interval, random: &tokenRandom)
        say("done")
    case "quit":
        break commands
    case nil:
        continue
    default:
        say("error unknown command: \(line)")
    }
}
server.stop()
