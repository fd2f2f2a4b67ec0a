// quarry render benchmark: what rendering a streamed answer costs, now and as before issue 11 (every update a whole
// render without limits), measured in the same run; then an answer of code, highlighted beside plain. An update is rendered at every new line (as the page does) and
// every 16 bytes otherwise (the tokens between the page's tenths of a second). Figures: seconds of the updates, one
// after another on one thread, and the bytes of the last render's HTML; then an ordinary answer's streaming time
// while three hostile ones stream beside it. PageAnswer's pacing (a render waits 8 times its cost) is not in these.
import Markdown
#if canImport(Glibc)
import Glibc
#endif

let unlimited = Markdown.Limits(tableColumns: .max, tableCells: .max)

/// The texts the page renders while `answer` streams in: at every new line and every 16 bytes.
func updates(_ answer: String) -> [String] {
    var texts: [String] = [], current = "", sinceUpdate = 0
    for character in answer {
        current.append(character)
        sinceUpdate += character.utf8.count
        if character == "\n" || sinceUpdate >= 16 {
            texts.append(current)
            sinceUpdate = 0
        }
    }
    if texts.last != answer { texts.append(answer) }
    return texts
}

/// Renders each of `texts` as before (whole, unlimited) or now (BlockRenderer, standard limits); the seconds taken
/// and the last render's HTML bytes.
func stream(_ texts: [String], now: Bool) -> (seconds: Double, bytes: Int) {
    var renderer = Markdown.BlockRenderer()
    var last: [String] = []
    let clock = ContinuousClock()
    let elapsed = clock.measure {
        for text in texts { last = now ? renderer.blocks(text) : Markdown.blocks(text, limits: unlimited) }
    }
    let (seconds, attoseconds) = elapsed.components
    return (Double(seconds) + Double(attoseconds) / 1e18, last.reduce(0) { $0 + $1.utf8.count })
}

/// The answer: a 1,000-column header and 200 short rows, 6.6 KB.
let attack = "Here:\n\n|" + String(repeating: "a|", count: 1_000) + "\n|" + String(repeating: "-|", count: 1_000) + "\n"
    + (0..<200).map { "|r\($0)|\n" }.joined()
/// 64 columns (the limit) and rows past the cell limit.
let wide = "|" + String(repeating: "h|", count: 64) + "\n|" + String(repeating: "-|", count: 64) + "\n"
    + (0..<400).map { "|\($0)|\n" }.joined()
/// An ordinary long answer: headings, paragraphs, lists, code and a small table, about 16 KB.
let ordinary = (1...40).map { n in
    "## Part \(n)\n\nGranite is *hard* and **dense**; marble (see [the guide](https://example.org/\(n))) is softer.\n\n"
        + "- first point about `quarry \(n)`\n- second point\n  - nested\n\n"
        + (n % 5 == 0 ? "| stone | hardness |\n| --- | ---: |\n| granite | 6 |\n| marble | 3 |\n\n" : "")
        + (n % 4 == 0 ? "```swift\nlet stone = \"granite\"\nprint(stone)\n```\n\n" : "")
}.joined()

print("answer            bytes updates   before s   now s   before HTML B   now HTML B")
for (name, answer) in [("1,000 columns", attack), ("64 columns", wide), ("ordinary", ordinary)] {
    let texts = updates(answer)
    let before = stream(texts, now: false), now = stream(texts, now: true)
    print(name.padding(16), String(answer.utf8.count).left(6), String(texts.count).left(7),
          format(before.seconds).left(10), format(now.seconds).left(7), String(before.bytes).left(15),
          String(now.bytes).left(12))
}

/// An answer that is mostly code, about 16 KB: 40 blocks of 12 lines of Python with prose between. Highlighted as
/// `python`; the same text with `text` as the blocks' language renders them plain (the Copy button only), so the
/// two rows differ by the highlighting alone.
func codeAnswer(language: String) -> String {
    (1...40).map { n in
        "Step \(n): read the settings, then merge them.\n\n```\(language)\nimport json\n\n"
            + "def load_\(n)(path: str) -> dict:\n    \"\"\"Read the settings.\n\n    Missing keys take their defaults.\"\"\"\n"
            + "    with open(path, encoding=\"utf-8\") as f:  # UTF-8\n        data = json.load(f)\n"
            + "    return {**DEFAULTS, **data, \"retries\": \(n) * 3, \"ratio\": 0.5e-3}\n\n"
            + "print(load_\(n)(\"quarry.json\"))\n```\n\n"
    }.joined()
}
let highlighted = codeAnswer(language: "python"), plain = codeAnswer(language: "text")

print("\ncode              bytes updates   streamed s   whole render ms   HTML B")
for (name, answer) in [("plain code", plain), ("highlighted code", highlighted)] {
    let texts = updates(answer)
    let streamed = stream(texts, now: true)
    let clock = ContinuousClock()
    var html = ""
    let whole = clock.measure { for _ in 0..<20 { html = Markdown.html(answer) } }
    let (seconds, attoseconds) = whole.components
    let milliseconds = (Double(seconds) + Double(attoseconds) / 1e18) * 1000 / 20
    print(name.padding(16), String(answer.utf8.count).left(6), String(texts.count).left(7),
          format(streamed.seconds).left(12), format(milliseconds).left(17), String(html.utf8.count).left(8))
}
/// One block at the highlighting budget (32 KiB of Python): what the budget costs at most, per render.
let budgetBlock = "```python\n" + String(repeating: "value = compute(\"granite\", 42)  # why\n", count: 32 * 1024 / 39) + "```\n"
let budgetPlain = "```text\n" + String(repeating: "value = compute(\"granite\", 42)  # why\n", count: 32 * 1024 / 39) + "```\n"
func perRender(_ text: String) -> Double {
    let clock = ContinuousClock()
    let elapsed = clock.measure { for _ in 0..<50 { _ = Markdown.html(text) } }
    let (seconds, attoseconds) = elapsed.components
    return (Double(seconds) + Double(attoseconds) / 1e18) * 1000 / 50
}
print("one 32 KiB block (the budget): plain \(format(perRender(budgetPlain))) ms, highlighted \(format(perRender(budgetBlock))) ms a render")

/// The ordinary answer's streaming time while three threads stream the attack beside it.
func contended(now: Bool) -> Double {
    let attackTexts = updates(attack), ordinaryTexts = updates(ordinary)
    final class Box: @unchecked Sendable { var seconds = 0.0 }
    let box = Box()
    var threads: [pthread_t] = []
    func spawn(_ body: @escaping @Sendable () -> Void) {
        final class Body { let run: @Sendable () -> Void; init(_ run: @escaping @Sendable () -> Void) { self.run = run } }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        threads.append(thread)
    }
    for _ in 0..<3 { spawn { _ = stream(attackTexts, now: now) } }
    spawn { box.seconds = stream(ordinaryTexts, now: now).seconds }
    for thread in threads { pthread_join(thread, nil) }
    return box.seconds
}
let alone = stream(updates(ordinary), now: true).seconds
print("\nordinary answer alone \(format(alone)) s; beside three 1,000-column answers: before \(format(contended(now: false))) s, now \(format(contended(now: true))) s")

func format(_ seconds: Double) -> String {
    let rounded = (seconds * 1000).rounded() / 1000
    return "\(rounded)"
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func left(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
