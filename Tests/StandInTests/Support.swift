// Shared test plumbing: a started server, request bodies, and reading an event stream apart.
import Glibc
import JSON
@testable import StandIn

/// Runs `body` against a started server (fast tokens unless the configuration says otherwise), then stops it.
func withServer<Result>(
    _ configuration: StandInConfiguration = StandInConfiguration(tokensPerSecond: 0),
    _ body: (StandInServer, Int) throws -> Result
) throws -> Result {
    let server = StandInServer(configuration: configuration)
    let port = try server.start()
    defer { server.stop() }
    return try body(server, port)
}

/// A chat completion request body.
func chatBody(
    model: String = "standin-chat", stream: Bool = true, includeUsage: Bool? = nil,
    messages: [JSONValue] = [["role": "user", "content": "When does the café open?"]]
) -> [UInt8] {
    var body: [String: JSONValue] = ["model": .string(model), "messages": .array(messages)]
    if stream { body["stream"] = true }
    if let includeUsage { body["stream_options"] = ["include_usage": .bool(includeUsage)] }
    return Array(JSONValue.object(body).serialized.utf8)
}

/// POSTs a chat completion, with `fault` in `X-Standin-Fault` when given.
func chat(_ port: Int, fault: String? = nil, stream: Bool = true, includeUsage: Bool? = nil) throws -> RawResponse {
    try request(port, "POST", "/v1/chat/completions", headers: fault.map { [("X-Standin-Fault", $0)] } ?? [],
                body: chatBody(stream: stream, includeUsage: includeUsage))
}

/// Opens a connection and sends a streaming chat completion with `fault`, leaving the response to read.
func openStream(_ port: Int, fault: String) throws -> RawConnection {
    let connection = try RawConnection(port: port)
    try connection.sendRequest("POST", "/v1/chat/completions", headers: [("X-Standin-Fault", fault)], body: chatBody())
    return connection
}

/// `text` as url-safe base64 without padding, for `answer=`.
func base64URL(_ text: String) -> String {
    String(Base64.encode(Array(text.utf8)).compactMap { character -> Character? in
        switch character {
        case "+": "-"
        case "/": "_"
        case "=": nil
        default: character
        }
    })
}

/// An event stream taken apart: the `data:` payloads of its events, and its comment lines.
struct EventStream {
    var data: [String] = []
    var comments: [String] = []

    /// Parses SSE as the spec says: lines end in `\n` or `\r\n`, a blank line ends an event, `:` starts a comment,
    /// `data:` takes one optional space.
    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self).replacing("\r\n", with: "\n")
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !lines.isEmpty { data.append(lines.joined(separator: "\n")) }
                lines = []
            } else if line.hasPrefix(":") {
                comments.append(String(line))
            } else if line.hasPrefix("data:") {
                let value = line.dropFirst(5)
                lines.append(String(value.hasPrefix(" ") ? value.dropFirst() : value))
            }
        }
    }

    /// The payloads parsed as JSON (everything but `[DONE]`).
    var chunks: [JSONValue] { data.filter { $0 != "[DONE]" }.compactMap { try? JSONValue.parse($0) } }

    /// The `delta` of each chunk that has a choice.
    var deltas: [JSONValue] { chunks.compactMap { $0["choices"]?[0]?["delta"] } }

    /// The content deltas (role chunk's empty content excluded).
    var contents: [String] { deltas.compactMap { $0["content"]?.string }.filter { !$0.isEmpty } }

    /// All content deltas joined: the answer.
    var content: String { contents.joined() }

    var endsWithDone: Bool { data.last == "[DONE]" }
}

/// The body of a `Transfer-Encoding: chunked` response, de-chunked; throws unless it ends with the last chunk.
func dechunk(_ body: [UInt8]) throws -> [UInt8] {
    var out: [UInt8] = []
    var rest = body[...]
    let crlf: [UInt8] = [13, 10]
    while true {
        guard let lineEnd = rest.firstRange(of: crlf),
              let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16)
        else { throw TestFailure("bad chunk size line") }
        rest = rest[lineEnd.upperBound...]
        if size == 0 { return out }
        guard rest.count >= size + 2 else { throw TestFailure("short chunk") }
        out += rest.prefix(size)
        rest = rest.dropFirst(size + 2)
    }
}

/// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds, the clock of the `timestamps` fault.
func monotonicNow() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
