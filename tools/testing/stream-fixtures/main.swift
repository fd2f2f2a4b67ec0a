// quarry-stream-fixtures: the frames the chat publishes for awkward markdown streams, for the browser test that
// proves the page shows the render of the text so far after every frame (Tests/e2e/test_chat.py).
//
//   quarry-stream-fixtures           one JSON line per stream and piece size (1, 3, 7):
//                                    {"name","pieces","markdown","frames":[…],"expected":[…]}
//   quarry-stream-fixtures render    reads UTF-8 markdown on standard input, prints {"html": Markdown.html(it)}
//   … render --db PATH --message ID  the same as the page shows answer ID: citations linked to its saved sources
//
// Each stream is fed to a real PageAnswer (interval zero, so every piece that changes the render sends a frame)
// whose Broadcaster records what it publishes. `frames[i]` is one published frame, its envelopes rendered as the
// Hub sends them; `expected[i]` is the render of the text sent so far (`PageAnswer.renderable` of it, its citations
// linked to three sources) when it went out (for the last frame, the one `finished` publishes, of the whole text).
import Chat
import Contracts
import JSON
import Markdown
import Store
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// Awkward markdown, cut into tokens at every size. The first rows are Tests/ChatTests/PageAnswerTests.swift's.
let streams: [(name: String, markdown: String)] = [
    ("paragraphs", "Granite is *hard*.\n\nMarble is **softer** than granite, and ~~cheaper~~ dearer.\n"),
    ("code fence split", "Run this:\n\n```swift\nlet stone = \"granite\"\nprint(stone < \"marble\")\n```\n\nThen stop.\n"),
    ("code fence never closed", "```python\nfor x in range(3):\n    print(x)\n"),
    ("tilde fence with backticks inside", "~~~\n``` not a fence end\n*not emphasis* <b>\n~~~\nafter\n"),
    ("table row by row", "| stone | hardness |\n| --- | ---: |\n| granite | 6 |\n| marble | 3 |\n| talc | 1 |\n\nDone."),
    ("table header late", "| a | b |\nmore text\n| --- | --- |\n"),
    ("table gains rows then a paragraph", "Intro line\n\n| x | y |\n|:--|:-:|\n| 1 | `a|b` |\n| 2 | **two** |\nnot a row\n"),
    ("setext headings", "Quarrying\n=========\n\nTools\n-----\n\nSaws and drills.\n"),
    ("setext after a paragraph line", "First line\nsecond line\n---\nthird\n===\n"),
    ("lists tight to loose", "- one\n- two\n  - nested\n  - more\n\n- three after a blank\n\n1. first\n2. second\n"),
    ("nested lists", "1. outer\n   - inner a\n     1. deep\n     2. deeper\n   - inner b\n2. outer again\n\n   continued paragraph\n"),
    ("blockquote", "> A quote that\n> goes on.\n>\n> And a second paragraph.\n\nAfter.\n"),
    ("blockquote with a list and lazy line", "> - quoted item\n>   more\nlazy continuation\n> > nested quote\n"),
    ("emphasis closing late", "This *starts emphasis and goes on for many words before it* closes, and **strong waits longer, across `code` and [a link](https://example.org)** too.\n"),
    ("entities and angle brackets", "Use a < b && c > d; write &amp; as &; <script>alert(1)</script> is not run.\n"),
    ("character references", "&copy; &#169; &#x1F600; &nbsp;x &notanentity; &amp;amp; \\* \\<b\\>\n"),
    ("links and autolinks", "See [the guide][g] or https://example.org/x_y.\n\n[g]: https://example.org/guide\n"),
    ("link reference definition at the end", "Read [the manual] and [this][m].\n\n[the manual]: /manual \"Title\"\n[m]: </with space> 'quoted'\n"),
    ("inline code in pieces", "Call `ingest(path)` then ``a `b` c``.\n"),
    ("non-ASCII", "Café — 日本語 — emoji 🪨 and e\u{301}.\n\n# Überschrift\n"),
    ("hard breaks and rules", "line one  \nline two\\\nline three\n\n---\n\n***\n"),
    ("raw HTML block", "<div>\nraw\n</div>\n\nText after.\n"),
    ("raw inline HTML and comments", "A <b>bold</b> claim <!-- hidden --> and <img src=x onerror=alert(1)> done.\n\n<script>\nalert(2)\n</script>\n"),
    ("task list and strikethrough", "- [ ] to do\n- [x] done ~~gone~~\n"),
    ("heading then text without blank", "## Section\nText right after.\n### Deeper ###\n"),
    ("indented code", "Para\n\n    code line 1\n    code line 2\n\nend\n"),
    ("no final newline", "last words *without* a newline"),
    // Highlighted code: spans on every line, and states carried across lines (a docstring, a block comment, a
    // template string, a tag and a comment, CSS braces), as a block grows line by line.
    ("highlighted code, states across lines", "```python\ndef f(x):\n    \"\"\"Doc <b>\n    & more\"\"\"\n    return x * 2  # twice\n```\n\n```js\n/* a\n   b */ const s = `one\n${two}`;\n```\n"),
    ("highlighted markup and style", "```html\n<a href=\"/x?a=1&amp;b\"\n   class=x>Link</a><!-- c\n-->\n```\n\n```css\n@media (max-width: 600px) {\n  .x:hover { color: #fff; }\n}\n```\n"),
    ("highlighted code in a list item, never closed", "1. Run:\n\n   ```sh\n   export A=\"$HOME\" # home\n   echo 'multi\n   line'\n"),
    // Citations arriving a character at a time: linked once whole, never shown half as text; one naming no source
    // dropped; brackets in code and after a word left alone.
    ("citations", "Granite is hard [1]. Marble is softer [2][3], talc softest [1, 3].\n\n- made up [9]\n- `a[1]` and list[2]\n\nEnd.[3]"),
]

/// The sources every stream's answer found: what its citation numbers name.
let sources = (1...3).map {
    SourceRecord(rank: $0, chunkID: Int64($0), documentTitle: "Stone \($0)", headingPath: "Hardness", excerpt: "…",
                 score: 1, distance: nil, relevance: 100 - $0, pages: $0...$0)
}

/// Records every frame a PageAnswer publishes, in order.
final class Recorder: Broadcaster, @unchecked Sendable {
    // @unchecked: PageAnswer calls in from one thread at a time here (interval zero: nothing is scheduled).
    var frames: [[StreamEnvelope]] = []

    func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
        let envelopes = update()
        if !envelopes.isEmpty { frames.append(envelopes) }
    }

    func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {
        frames.append(envelopes)
    }
}

/// Pieces of at most `size` characters (grapheme clusters are never cut).
func pieces(_ text: String, of size: Int) -> [String] {
    var out: [String] = [], current = ""
    for character in text {
        current.append(character)
        if current.count == size {
            out.append(current)
            current = ""
        }
    }
    if !current.isEmpty { out.append(current) }
    return out
}

/// The frames and expected renders of one stream cut in pieces of `size`.
func fixture(name: String, markdown: String, size: Int) -> JSONValue {
    let recorder = Recorder()
    let page = PageAnswer(id: 5, stream: "fixture", broadcaster: recorder, interval: .zero)
    page.found(sources)
    var frames: [JSONValue] = [], expected: [JSONValue] = []
    var text = ""
    let answer = AnswerText()
    func take(_ render: String) {
        for frame in recorder.frames[frames.count...] {
            frames.append(.string(StreamEnvelope.render(frame)))
            expected.append(.string(render))
        }
    }
    for piece in pieces(markdown, of: size) {
        text += piece
        answer.append(piece)
        page.text(answer, delta: piece)
        take(Markup.answerHTML(PageAnswer.renderable(text), message: 5, sources: sources))
    }
    page.finished(AnswerOutcome(status: .complete, text: text, error: nil, sources: sources), save: {})
    take(Markup.answerHTML(markdown, message: 5, sources: sources))
    return .object([
        "name": .string(name), "pieces": .integer(Int64(size)), "markdown": .string(markdown),
        "frames": .array(frames), "expected": .array(expected),
    ])
}

/// All of standard input.
func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes += buffer[..<count]
    }
    return bytes
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case nil:
    for stream in streams {
        for size in [1, 3, 7] {
            print(fixture(name: stream.name, markdown: stream.markdown, size: size).serialized)
        }
    }
case "render" where arguments.count == 1:
    let markdown = String(decoding: readStandardInput(), as: UTF8.self)
    print(JSONValue.object(["html": .string(Markdown.html(markdown))]).serialized)
case "render" where arguments.count == 5 && arguments[1] == "--db" && arguments[3] == "--message":
    // As the page shows an ended answer: its citations linked to the sources saved with it.
    let markdown = String(decoding: readStandardInput(), as: UTF8.self)
    guard let message = Int64(arguments[4]), let store = try? Store(path: arguments[2]),
          let sources = try? store.sources(message: message) else { exit(66) }
    print(JSONValue.object(["html": .string(Markup.answerHTML(markdown, message: message, sources: sources))]).serialized)
default:
    var message = "usage: quarry-stream-fixtures [render [--db PATH --message ID]]\n"
    message.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(64)
}
