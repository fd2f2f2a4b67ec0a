// Writing server-sent events in the framing a fault spec asks for.
//
// Normal framing is OpenAI's: `data: <json>\n\n`, one `send` per event. The spec can change it:
//   crlf        lines end in `\r\n`
//   no-space    `data:<json>`
//   comments    a `: keep-alive` comment line before each event; on even events as a block of its own
//               (`: keep-alive\n\n`), on odd ones as the first line of the event itself
//   split       each event sent in several pieces, a millisecond apart: cut after the first byte, after the lead
//               byte of every multi-byte UTF-8 character, every 37 bytes, and between the last two bytes (inside
//               the final `\r\n` or between the two `\n`)
//   chunked     the body in `Transfer-Encoding: chunked`, one chunk per `send`

/// Writes one stream's head and events on its connection.
struct EventWriter {
    let connection: Connection
    let spec: FaultSpec
    private var events = 0

    /// Pause between the pieces of a split event.
    static let splitPause: UInt64 = 1_000_000

    init(connection: Connection, spec: FaultSpec) {
        self.connection = connection
        self.spec = spec
    }

    private var newline: String { spec.crlf ? "\r\n" : "\n" }

    /// The response head: 200, `text/event-stream`, no `Content-Length`.
    func head() -> Bool {
        var headers = [(name: "Content-Type", value: "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")]
        if spec.chunked { headers.append(("Transfer-Encoding", "chunked")) }
        return connection.send(HTTPStatus.head(200, headers))
    }

    /// Writes one `data:` event; false once the client has gone.
    mutating func data(_ payload: String) -> Bool {
        var text = ""
        if spec.comments {
            text += ": keep-alive" + newline
            if events % 2 == 0 { text += newline }
        }
        text += (spec.noSpace ? "data:" : "data: ") + payload + newline + newline
        events += 1
        return write(Array(text.utf8))
    }

    /// Ends the body: the last chunk when chunked, nothing otherwise.
    func end() -> Bool { spec.chunked ? connection.send(Array("0\r\n\r\n".utf8)) : true }

    private func write(_ bytes: [UInt8]) -> Bool {
        guard spec.split else { return sendBody(bytes[...]) }
        var start = 0
        for cut in Self.cuts(bytes) + [bytes.count] {
            if start > 0 {
                guard connection.pause(until: monotonicNanoseconds() + Self.splitPause) else { return false }
            }
            guard sendBody(bytes[start..<cut]) else { return false }
            start = cut
        }
        return true
    }

    private func sendBody(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard spec.chunked else { return connection.send(Array(bytes)) }
        return connection.send(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10])
    }

    /// Where `split` cuts an event (see the top of the file), ascending, each strictly inside the event.
    static func cuts(_ bytes: [UInt8]) -> [Int] {
        var cuts: Set<Int> = [1, bytes.count - 1]
        for (index, byte) in bytes.enumerated() where byte >= 0xC0 { cuts.insert(index + 1) }
        for index in stride(from: 37, to: bytes.count, by: 37) { cuts.insert(index) }
        return cuts.filter { $0 > 0 && $0 < bytes.count }.sorted()
    }
}
