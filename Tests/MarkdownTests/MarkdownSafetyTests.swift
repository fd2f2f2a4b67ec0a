import Testing
@testable import Markdown

/// Hostile input: markup that must never come out live.
struct HostileCase: CustomTestStringConvertible, Sendable {
    let name: String
    let markdown: String
    /// Lower-cased fragments that must not appear in the lower-cased output.
    let forbidden: [String]

    var testDescription: String { name }
}

let hostileCases: [HostileCase] = [
    HostileCase(name: "script block", markdown: "<script>alert(1)</script>", forbidden: ["<script", "</script"]),
    HostileCase(name: "inline script", markdown: "hi <script>alert(1)</script> there", forbidden: ["<script"]),
    HostileCase(name: "img onerror", markdown: "<img src=x onerror=alert(1)>", forbidden: ["<img", "onerror"]),
    HostileCase(
        name: "inline img onerror", markdown: "a <img src=x onerror=alert(1)> b", forbidden: ["<img", "onerror"]),
    HostileCase(
        name: "iframe",
        markdown: "<iframe src=\"https://evil.example\"></iframe>",
        forbidden: ["<iframe", "evil.example"]
    ),
    HostileCase(
        name: "inline b onclick", markdown: "x <b onclick=\"alert(1)\">bold</b> y", forbidden: ["<b ", "onclick"]),
    HostileCase(name: "style", markdown: "<style>body{display:none}</style>", forbidden: ["<style"]),
    HostileCase(name: "svg onload", markdown: "<svg onload=alert(1)>", forbidden: ["<svg", "onload"]),
    HostileCase(name: "javascript link", markdown: "[x](javascript:alert(1))", forbidden: ["javascript:"]),
    HostileCase(name: "JavaScript link, mixed case", markdown: "[x](JaVaScRiPt:alert(1))", forbidden: ["javascript:"]),
    HostileCase(name: "vbscript link", markdown: "[x](vbscript:msgbox(1))", forbidden: ["vbscript:"]),
    HostileCase(
        name: "data html link", markdown: "[x](data:text/html,<script>alert(1)</script>)",
        forbidden: ["data:", "<script"]),
    HostileCase(name: "javascript autolink", markdown: "<javascript:alert(1)>", forbidden: ["href=\"javascript:"]),
    HostileCase(name: "javascript image", markdown: "![x](javascript:alert(1))", forbidden: ["javascript:"]),
    HostileCase(name: "reference link", markdown: "[x][r]\n\n[r]: javascript:alert(1)", forbidden: ["javascript:"]),
    HostileCase(name: "html comment breakout", markdown: "<!-- --><script>alert(1)</script>", forbidden: ["<script"]),
    HostileCase(
        name: "link title quote", markdown: "[x](https://a.example \"t\\\" onmouseover=alert(1)\")",
        forbidden: ["\" onmouseover"]),
]

@Test(arguments: hostileCases)
func neverLive(_ testCase: HostileCase) {
    let html = Markdown.html(testCase.markdown).lowercased()
    for fragment in testCase.forbidden {
        #expect(!html.contains(fragment), "\(fragment) in \(html)")
    }
}

@Test func rawHTMLIsOmittedNotEscaped() {
    #expect(Markdown.html("<b>bold</b>") == "<p><!-- raw HTML omitted -->bold<!-- raw HTML omitted --></p>\n")
}

@Test func imageDataURLIsKept() {
    // cmark-gfm keeps data: URLs of the common image types; they cannot run script.
    let html = Markdown.html("![dot](data:image/png;base64,iVBORw0KGgo=)")
    #expect(html.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""))
}

/// Pathological shapes that have crashed or hung Markdown parsers: each must return.
@Test(arguments: [
    String(repeating: ">", count: 10_000),
    String(repeating: "[", count: 10_000),
    String(repeating: "*", count: 10_000),
    String(repeating: "- ", count: 10_000),
    String(repeating: "> - ", count: 5_000) + "x",
    String(repeating: "[a](", count: 10_000),
    String(repeating: "|", count: 10_000) + "\n" + String(repeating: "|-", count: 5_000),
    String(repeating: "<", count: 10_000),
    String(repeating: "`", count: 10_000),
    String(repeating: "~~", count: 10_000),
    String(repeating: "www.a", count: 10_000),
])
func pathologicalInputReturns(_ markdown: String) {
    let html = Markdown.html(markdown)
    #expect(!html.isEmpty)
}

/// Parsing is serialised because cmark-gfm mutates a global table per parse; many threads rendering at once must
/// each still get strikethrough and autolinks.
@Test func concurrentRendersKeepExtensions() async {
    let markdown = "~~gone~~ and https://example.com and | a |\n|---|\n| 1 |\n"
    let expected = Markdown.html(markdown)
    #expect(expected.contains("<del>"))
    await withTaskGroup(of: Bool.self) { group in
        for _ in 0..<8 {
            group.addTask {
                (0..<200).allSatisfy { _ in Markdown.html(markdown) == expected }
            }
        }
        for await allEqual in group {
            #expect(allEqual)
        }
    }
}
