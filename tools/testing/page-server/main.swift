// quarry-page-server: the real Server and page for browser tests, driven from standard input.
//
//   quarry-page-server [port]
//
// It prints one line `{"port":N}` when it listens. Every page follows the stream "fixture" (and its session's
// stream); a test publishes through the real Hub, or sets what a new subscriber first receives, with lines on
// standard input:
//
//   publish <stream> <base64url of the frame's HTML>
//   snapshot <stream> <action> <target id> <base64url of the template's HTML>
//   quit
//
// and reads what pages asked for on standard output, one JSON object a line:
//
//   {"op":"ask","content":…,"thread":…}   {"op":"stop","message":…}
import Contracts
import Crypto
import JSON
import Locking
import Logging
import Server
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

let output = Lock()

/// One line on standard output, written directly: `fflush(nil)` would also lock standard input, which the main
/// thread holds while it waits in `readLine`, and the service thread would hang there.
func emit(_ value: JSONValue) {
    var line = value.serialized + "\n"
    output.withLock {
        line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }
}

/// What a new subscriber to each stream receives first, as set by `snapshot` commands.
final class Snapshots: StreamSnapshots, @unchecked Sendable {
    private let lock = Lock()
    private var envelopes: [String: StreamEnvelope] = [:]  // guarded by lock

    func set(_ envelope: StreamEnvelope, for stream: String) { lock.withLock { envelopes[stream] = envelope } }

    func snapshot(of stream: String) -> [StreamEnvelope] { lock.withLock { envelopes[stream].map { [$0] } ?? [] } }
}

let snapshots = Snapshots()

func decode(_ text: Substring) -> String? {
    ByteEncoding.bytes(base64URL: text).flatMap { String(validating: $0, as: UTF8.self) }
}

struct Recorder: SocketOperationHandler {
    func handle(_ operation: SocketOperation, from client: SocketClient) {
        switch operation {
        case .ask(let thread, let content):
            emit(["op": "ask", "content": .string(content), "thread": thread.map(JSONValue.string) ?? .null])
        case .stop(let message):
            emit(["op": "stop", "message": .string(message)])
        case .retry(let message):
            emit(["op": "retry", "message": .string(message)])
        }
    }
}

var logger = Logger(label: "page-server")
logger.logLevel = .warning
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
let server = Server(
    configuration: ServerConfiguration(host: "127.0.0.1", port: port, shutdownGraceSeconds: 1),
    secret: Array("quarry-page-server-fixed-secret-for-tests".utf8),
    hub: Hub(snapshots: snapshots),
    operations: Recorder(),
    pageStreams: { ["fixture", "session/\($0.rawValue)"] },
    logger: logger
)
do {
    try server.start()
} catch {
    print("error: \(error)")
    exit(1)
}
emit(["port": .integer(Int64(server.port))])

while let line = readLine() {
    let parts = line.split(separator: " ")
    switch parts.first {
    case "publish" where parts.count == 3:
        guard let html = decode(parts[2]) else {
            emit(["error": "bad base64url"])
            continue
        }
        server.hub.publish(rendered: html, to: String(parts[1]))
    case "snapshot" where parts.count == 5:
        guard let action = StreamAction(rawValue: String(parts[2])), let html = decode(parts[4]) else {
            emit(["error": "bad snapshot"])
            continue
        }
        snapshots.set(StreamEnvelope(action, .id(String(parts[3])), html: html), for: String(parts[1]))
    case "quit":
        server.stop()
        exit(0)
    default:
        emit(["error": .string("unknown command: \(line)")])
    }
}
server.stop()
