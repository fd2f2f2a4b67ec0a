// quarry-chat-seed: what the seed (the Rails pattern in docs/chat.md's "Streaming") would send for one answer,
// rendered with Quarry's own Markdown module, for tools/bench/chat_bench.py.
//
// Usage: quarry-chat-seed < {"id": ID, "tokens": ["…", …]}
//
// Writes one JSON object on stdout:
//   "streaming": for each token i, the seed's `broadcast_token` envelope after tokens 0…i: a `replace` of the
//                whole content div, re-rendered, with its pulsing cursor (turbo-rails' broadcast_replace_to)
//   "final":     `broadcast_completion`'s envelope: the same div without the cursor
//   "html":      the whole answer rendered (Markdown.html), to check against Quarry's final snapshot
// Every-5-tokens is a selection of "streaming" (the driver picks it), so both strategies share one rendering.
import JSON
import Markdown
#if canImport(Glibc)
import Glibc
#endif

/// The seed's cursor (`render_streaming_content_html`).
let cursor = #"<span class="inline-block w-2 h-4 bg-primary/50 animate-pulse ml-0.5"></span>"#

/// `Turbo::StreamsChannel.broadcast_replace_to(stream, target: "message-content-ID", html: div)` as turbo-rails
/// renders it.
func replaceEnvelope(id: String, html: String, streaming: Bool) -> String {
    let div = "<div id=\"message-content-\(id)\" class=\"prose prose-sm\">\(html)\(streaming ? cursor : "")</div>"
    return "<turbo-stream action=\"replace\" target=\"message-content-\(id)\"><template>\(div)</template>"
        + "</turbo-stream>"
}

/// Everything on file descriptor 0 (the C `stdin` stream is a global Swift 6 will not touch).
func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(0, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return bytes
}

/// Writes all of `bytes` to file descriptor `fd`; false on an error.
func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

func fail(_ message: String) -> Never {
    _ = writeAll(Array("quarry-chat-seed: \(message)\n".utf8), to: 2)
    exit(1)
}

let input: JSONValue
do {
    input = try JSONValue.parse(readStandardInput(), maxDepth: 8)
} catch {
    fail("\(error)")
}
guard let tokens = input["tokens"]?.array?.compactMap(\.string),
      let id = input["id"].map({ $0.string ?? $0.serialized })
else { fail(#"expected {"id": ID, "tokens": ["…", …]} on stdin"#) }

var text = ""
var streaming: [JSONValue] = []
streaming.reserveCapacity(tokens.count)
for token in tokens {
    text += token
    // `render_markdown` returns "" for a blank text; Markdown.html does too.
    streaming.append(.string(replaceEnvelope(id: id, html: Markdown.html(text), streaming: true)))
}
let html = Markdown.html(text)
let output: JSONValue = [
    "streaming": .array(streaming),
    "final": .string(replaceEnvelope(id: id, html: html, streaming: false)),
    "html": .string(html),
]
var bytes: [UInt8] = []
output.write(into: &bytes)
bytes.append(UInt8(ascii: "\n"))
guard writeAll(bytes, to: 1) else { fail("cannot write standard output") }
