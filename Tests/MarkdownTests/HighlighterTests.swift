import Testing
@testable import Markdown

/// The highlighter's tokens, language by language: each row is a line of code and its HTML, written `⟨class|text⟩`
/// for a span (expanded and escaped by `expand`). Every block is highlighted line after line, so the rows of a case
/// are one block and a row's state comes from the rows above it (a comment or string left open).
struct HighlightCase: CustomTestStringConvertible, Sendable {
    let language: String
    let rows: [(code: String, html: String)]

    init(_ language: String, _ rows: [(String, String)]) {
        self.language = language
        self.rows = rows.map { (code: $0.0, html: $0.1) }
    }

    var testDescription: String { language }
}

let highlightCases: [HighlightCase] = [
    HighlightCase("sh", [
            (##"# comment"##, ##"⟨com|# comment⟩"##),
            (##"export PATH="$HOME/bin:$PATH" # add"##, ##"⟨kw|export⟩ PATH=⟨str|"$HOME/bin:$PATH"⟩ ⟨com|# add⟩"##),
            (##"echo 'it''s' ${USER:-me} $1 $? a#b"##, ##"⟨fn|echo⟩ ⟨str|'it'⟩⟨str|'s'⟩ ⟨var|${USER:-me}⟩ ⟨var|$1⟩ ⟨var|$?⟩ a#b"##),
            (##"if [ -f x ]; then sudo apt-get install -y curl; fi"##, ##"⟨kw|if⟩ [ -f x ]; ⟨kw|then⟩ ⟨fn|sudo⟩ ⟨fn|apt-get⟩ install -y ⟨fn|curl⟩; ⟨kw|fi⟩"##),
    ]),
    HighlightCase("python", [
            (##"@dataclass"##, ##"⟨meta|@dataclass⟩"##),
            (##"def area(r: float) -> float:"##, ##"⟨kw|def⟩ ⟨fn|area⟩(r: ⟨typ|float⟩) -> ⟨typ|float⟩:"##),
            (##"    """Area"##, ##"    ⟨str|"""Area⟩"##),
            (##"    of a circle.""""##, ##"⟨str|    of a circle."""⟩"##),
            (##"    return 3.14159 * r ** 2  # pi r squared"##, ##"    ⟨kw|return⟩ ⟨num|3.14159⟩ * r ** ⟨num|2⟩  ⟨com|# pi r squared⟩"##),
            (##"print(f'{x!r}', rb"\x00", None, True)"##, ##"⟨fn|print⟩(⟨str|f'{x!r}'⟩, ⟨str|rb"\x00"⟩, ⟨lit|None⟩, ⟨lit|True⟩)"##),
    ]),
    HighlightCase("javascript", [
            (##"const $el = document.querySelector("#id"); // find"##, ##"⟨kw|const⟩ $el = document.⟨fn|querySelector⟩(⟨str|"#id"⟩); ⟨com|// find⟩"##),
            (##"let s = `multi"##, ##"⟨kw|let⟩ s = ⟨str|`multi⟩"##),
            (##"${x} line`;"##, ##"⟨str|${x} line`⟩;"##),
            (##"async function f() { return await g(1e3, 0x1F, .5) }"##, ##"⟨kw|async⟩ ⟨kw|function⟩ ⟨fn|f⟩() { ⟨kw|return⟩ ⟨kw|await⟩ ⟨fn|g⟩(⟨num|1e3⟩, ⟨num|0x1F⟩, ⟨num|.5⟩) }"##),
            (##"/* a"##, ##"⟨com|/* a⟩"##),
            (##"b */ x = null"##, ##"⟨com|b */⟩ x = ⟨lit|null⟩"##),
    ]),
    HighlightCase("typescript", [
            (##"interface User { name: string; age?: number }"##, ##"⟨kw|interface⟩ ⟨typ|User⟩ { name: ⟨typ|string⟩; age?: ⟨typ|number⟩ }"##),
            (##"type Id = string | number;"##, ##"⟨kw|type⟩ ⟨typ|Id⟩ = ⟨typ|string⟩ | ⟨typ|number⟩;"##),
            (##"export class Store<T> implements Repo<T> {}"##, ##"⟨kw|export⟩ ⟨kw|class⟩ ⟨typ|Store⟩<⟨typ|T⟩> ⟨kw|implements⟩ ⟨typ|Repo⟩<⟨typ|T⟩> {}"##),
    ]),
    HighlightCase("swift", [
            (##"@MainActor struct Box<T>: Sendable {"##, ##"⟨meta|@MainActor⟩ ⟨kw|struct⟩ ⟨typ|Box⟩<⟨typ|T⟩>: ⟨typ|Sendable⟩ {"##),
            (##"    let s = """"##, ##"    ⟨kw|let⟩ s = ⟨str|"""⟩"##),
            (##"    text "quoted""##, ##"⟨str|    text "quoted"⟩"##),
            (##"    """"##, ##"⟨str|    """⟩"##),
            (##"    var x: Int? = nil // none"##, ##"    ⟨kw|var⟩ x: ⟨typ|Int⟩? = ⟨lit|nil⟩ ⟨com|// none⟩"##),
            (##"    func f() async throws -> [String] { try await g(#"raw \n"#) }"##, ##"    ⟨kw|func⟩ ⟨fn|f⟩() ⟨kw|async⟩ ⟨kw|throws⟩ -> [⟨typ|String⟩] { ⟨kw|try⟩ ⟨kw|await⟩ ⟨fn|g⟩(⟨str|#"raw \n"#⟩) }"##),
    ]),
    HighlightCase("c", [
            (##"#include <stdio.h>"##, ##"⟨meta|#include <stdio.h>⟩"##),
            (##"int main(void) { /* start"##, ##"⟨typ|int⟩ ⟨fn|main⟩(⟨typ|void⟩) { ⟨com|/* start⟩"##),
            (##"   still */ printf("%d\n", 'a'); return 0; }"##, ##"⟨com|   still */⟩ ⟨fn|printf⟩(⟨str|"%d\n"⟩, ⟨str|'a'⟩); ⟨kw|return⟩ ⟨num|0⟩; }"##),
            (##"size_t n = sizeof(x) / 2.5f;"##, ##"⟨typ|size_t⟩ n = ⟨kw|sizeof⟩(x) / ⟨num|2.5f⟩;"##),
    ]),
    HighlightCase("cpp", [
            (##"template <typename T> class Vec : public Base {"##, ##"⟨kw|template⟩ <⟨kw|typename⟩ T> ⟨kw|class⟩ Vec : ⟨kw|public⟩ Base {"##),
            (##"  std::vector<int> v{1, 2}; auto p = nullptr;"##, ##"  std::⟨typ|vector⟩<⟨typ|int⟩> v{⟨num|1⟩, ⟨num|2⟩}; ⟨kw|auto⟩ p = ⟨lit|nullptr⟩;"##),
            (##"};"##, ##"};"##),
    ]),
    HighlightCase("java", [
            (##"@Override public String toString() {"##, ##"⟨meta|@Override⟩ ⟨kw|public⟩ ⟨typ|String⟩ ⟨fn|toString⟩() {"##),
            (##"    return String.format("%s", name); // fmt"##, ##"    ⟨kw|return⟩ ⟨typ|String⟩.⟨fn|format⟩(⟨str|"%s"⟩, name); ⟨com|// fmt⟩"##),
            (##"}"##, ##"}"##),
    ]),
    HighlightCase("go", [
            (##"package main"##, ##"⟨kw|package⟩ main"##),
            (##"func main() { s := `raw"##, ##"⟨kw|func⟩ ⟨fn|main⟩() { s := ⟨str|`raw⟩"##),
            (##"line`; fmt.Println(len(s), nil, 'x') }"##, ##"⟨str|line`⟩; fmt.⟨fn|Println⟩(⟨fn|len⟩(s), ⟨lit|nil⟩, ⟨str|'x'⟩) }"##),
    ]),
    HighlightCase("rust", [
            (##"#[derive(Debug)]"##, ##"⟨meta|#[derive(Debug)]⟩"##),
            (##"fn longest<'a>(x: &'a str) -> Option<&'a str> {"##, ##"⟨kw|fn⟩ longest<'a>(x: &'a ⟨typ|str⟩) -> ⟨typ|Option⟩<&'a ⟨typ|str⟩> {"##),
            (##"    let v: Vec<u8> = vec![1, 2]; println!("{}", 'c');"##, ##"    ⟨kw|let⟩ v: ⟨typ|Vec⟩<⟨typ|u8⟩> = ⟨fn|vec!⟩[⟨num|1⟩, ⟨num|2⟩]; ⟨fn|println!⟩(⟨str|"{}"⟩, ⟨str|'c'⟩);"##),
            (##"    Some(x) // ok"##, ##"    ⟨lit|Some⟩(x) ⟨com|// ok⟩"##),
            (##"}"##, ##"}"##),
    ]),
    HighlightCase("sql", [
            (##"SELECT id, COUNT(*) AS n FROM users u"##, ##"⟨kw|SELECT⟩ id, ⟨fn|COUNT⟩(*) ⟨kw|AS⟩ n ⟨kw|FROM⟩ users u"##),
            (##"WHERE u.name = 'O''Brien' -- quote"##, ##"⟨kw|WHERE⟩ u.name = ⟨str|'O'⟩⟨str|'Brien'⟩ ⟨com|-- quote⟩"##),
            (##"GROUP BY id HAVING n > 10;"##, ##"⟨kw|GROUP⟩ ⟨kw|BY⟩ id ⟨kw|HAVING⟩ n > ⟨num|10⟩;"##),
            (##"create table t (id integer primary key, v text);"##, ##"⟨kw|create⟩ ⟨kw|table⟩ t (id ⟨typ|integer⟩ ⟨kw|primary⟩ ⟨kw|key⟩, v ⟨typ|text⟩);"##),
    ]),
    HighlightCase("json", [
            (##"{"name": "quarry", "port": 8080, "tls": false,"##, ##"{⟨attr|"name"⟩: ⟨str|"quarry"⟩, ⟨attr|"port"⟩: ⟨num|8080⟩, ⟨attr|"tls"⟩: ⟨lit|false⟩,"##),
            (##"  "tags": ["a", null], "ratio": -1.5e3}"##, ##"  ⟨attr|"tags"⟩: [⟨str|"a"⟩, ⟨lit|null⟩], ⟨attr|"ratio"⟩: -⟨num|1.5e3⟩}"##),
    ]),
    HighlightCase("yaml", [
            (##"# config"##, ##"⟨com|# config⟩"##),
            (##"server:"##, ##"⟨attr|server⟩:"##),
            (##"  port: 8080"##, ##"  ⟨attr|port⟩: ⟨num|8080⟩"##),
            (##"  name: "quarry" # inline"##, ##"  ⟨attr|name⟩: ⟨str|"quarry"⟩ ⟨com|# inline⟩"##),
            (##"  enabled: true"##, ##"  ⟨attr|enabled⟩: ⟨lit|true⟩"##),
            (##"  - item-one"##, ##"  - item-one"##),
            (##"url: http://x.example/a#b"##, ##"⟨attr|url⟩: http://x.example/a#b"##),
    ]),
    HighlightCase("html", [
            (##"<!DOCTYPE html>"##, ##"⟨meta|<!DOCTYPE html>⟩"##),
            (##"<a href="/x?a=1&amp;b=2" class=link>Link &amp; more</a>"##, ##"⟨tag|<a⟩ ⟨attr|href⟩=⟨str|"/x?a=1&amp;b=2"⟩ ⟨attr|class⟩=⟨str|link⟩⟨tag|>⟩Link ⟨lit|&amp;⟩ more⟨tag|</a⟩⟨tag|>⟩"##),
            (##"<div"##, ##"⟨tag|<div⟩"##),
            (##"  id="multi">text<!-- note"##, ##"  ⟨attr|id⟩=⟨str|"multi"⟩⟨tag|>⟩text⟨com|<!-- note⟩"##),
            (##"--> <br/>"##, ##"⟨com|-->⟩ ⟨tag|<br⟩⟨tag|/>⟩"##),
    ]),
    HighlightCase("css", [
            (##"/* theme */"##, ##"⟨com|/* theme */⟩"##),
            (##".card > a:hover, #main { color: #1e90ff; margin: 0 auto 1.5em; }"##, ##"⟨tag|.card⟩ > ⟨tag|a⟩:⟨tag|hover⟩, ⟨tag|#main⟩ { ⟨attr|color⟩: ⟨num|#1e90ff⟩; ⟨attr|margin⟩: ⟨num|0⟩ auto ⟨num|1.5em⟩; }"##),
            (##"@media (max-width: 600px) {"##, ##"⟨kw|@media⟩ (⟨attr|max-width⟩: ⟨num|600px⟩) {"##),
            (##"  .x { width: calc(100% - 2rem) !important; }"##, ##"  ⟨tag|.x⟩ { ⟨attr|width⟩: ⟨fn|calc⟩(⟨num|100%⟩ - ⟨num|2rem⟩) ⟨kw|!important⟩; }"##),
            (##"}"##, ##"}"##),
    ]),
]

/// `⟨class|text⟩` as a span, everything escaped as cmark escapes code.
func expand(_ notation: String) -> String {
    var out = "", rest = Substring(notation)
    while let open = rest.firstIndex(of: "⟨") {
        out += escapeCode(rest[..<open])
        let bar = rest[open...].firstIndex(of: "|")!, close = rest[bar...].firstIndex(of: "⟩")!
        let name = rest[rest.index(after: open)..<bar]
        out += "<span class=\"\(name)\">" + escapeCode(rest[rest.index(after: bar)..<close]) + "</span>"
        rest = rest[rest.index(after: close)...]
    }
    return out + escapeCode(rest)
}

func escapeCode(_ text: Substring) -> String {
    String(text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
        .replacing("\"", with: "&quot;"))
}

/// The HTML of `code` as a fenced block in `language`, without the `<pre>`, the button and the `<code>` tags.
func highlightedCode(_ code: String, _ language: String) -> String {
    let html = Markdown.html("```\(language)\n\(code)\n```\n")
    let code = html.firstRange(of: "<code")!.upperBound
    let start = html.index(after: html[code...].firstIndex(of: ">")!), end = html.firstRange(of: "</code></pre>")!.lowerBound
    return String(html[start..<end])
}

@Suite struct HighlighterTests {
    @Test(arguments: highlightCases)
    func highlights(_ testCase: HighlightCase) {
        let html = highlightedCode(testCase.rows.map(\.code).joined(separator: "\n"), testCase.language)
        let lines = html.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == testCase.rows.count)
        for (line, row) in zip(lines, testCase.rows) {
            #expect(String(line) == expand(row.html), "\(row.code)")
        }
    }

    /// Without its spans, highlighted code is byte for byte what cmark writes for it, and every line closes the
    /// spans it opens: a line appended to a block is balanced HTML, and nothing before it changes.
    @Test(arguments: highlightCases)
    func spansOnlyWrapTheEscapedCodeAndCloseOnTheirLine(_ testCase: HighlightCase) {
        let code = testCase.rows.map(\.code).joined(separator: "\n")
        let html = highlightedCode(code, testCase.language)
        let plain = highlightedCode(code, "plain-text")
        #expect(html.replacing(/<span class="[a-z]+">/, with: "").replacing("</span>", with: "") == plain)
        for line in html.split(separator: "\n") {
            #expect(line.ranges(of: "<span class").count == line.ranges(of: "</span>").count, "\(line)")
        }
    }

    @Test func everyNameOfALanguageFindsItsGrammarInAnyCase() {
        for name in ["sh", "Bash", "PY", "js", "tsx", "swift", "c", "c++", "java", "golang", "rs", "SQL", "jsonc",
                     "yml", "html", "xml", "svg", "css"] {
            #expect(Markdown.Grammars.grammar(named: name) != nil, "\(name)")
        }
        for name in ["", "text", "plain", "brainfuck", "language-swift"] {
            #expect(Markdown.Grammars.grammar(named: name) == nil, "\(name)")
        }
    }

    @Test func everyCodeBlockStartsWithItsCopyButtonAndOnlyKnownLanguagesAreHighlighted() {
        let button = Markdown.CodeBlocks.copyButton
        #expect(Markdown.html("```\nlet x = 1\n```\n") == "<pre>\(button)<code>let x = 1\n</code></pre>\n")
        #expect(Markdown.html("    indented <b>\n") == "<pre>\(button)<code>indented &lt;b&gt;\n</code></pre>\n")
        #expect(Markdown.html("```cobol\nMOVE 1 TO X.\n```\n")
            == "<pre>\(button)<code class=\"language-cobol\">MOVE 1 TO X.\n</code></pre>\n")
        #expect(Markdown.html("- item\n\n  ```js\n  let a\n  ```\n").contains(
            "<pre>\(button)<code class=\"language-js\"><span class=\"kw\">let</span> a\n</code></pre>"))
        #expect(Markdown.html("Not `<pre><code>` inline, nor <pre><code>raw</code></pre>.\n")
            .contains("<code>&lt;pre&gt;&lt;code&gt;</code>"))
        #expect(!Markdown.html("Not `<pre><code>` inline, nor <pre><code>raw</code></pre>.\n").contains(button))
    }

    /// Past `highlightedBytes` a block's lines are plain, and which lines those are depends only on the lines
    /// before: the highlighted HTML of a block is a prefix of the HTML of any longer block that starts with it.
    @Test func aHugeBlockIsHighlightedUpToItsBudgetThenPlainAndEveryPrefixKeepsItsLines() {
        let line = "let value = compute(42) // why\n"
        let lines = Markdown.CodeBlocks.highlightedBytes / line.utf8.count + 20
        let code = String(repeating: line, count: lines)
        let html = highlightedCode(String(code.dropLast()), "swift")
        let rendered = html.split(separator: "\n")
        let highlighted = rendered.filter { $0.contains("<span") }.count
        #expect(highlighted == Markdown.CodeBlocks.highlightedBytes / line.utf8.count)
        #expect(rendered.last == "let value = compute(42) // why")
        let shorter = highlightedCode(String(String(repeating: line, count: lines - 30).dropLast()), "swift")
        #expect(html.hasPrefix(shorter))
    }

    /// Every grammar over every two of the pieces that open, close or escape something, then one of a few more,
    /// with a line break between: the spans only ever wrap the escaped code, and close on their line.
    @Test(arguments: ["sh", "python", "js", "ts", "swift", "c", "cpp", "java", "go", "rust", "sql", "json", "yaml",
                      "html", "css"])
    func anyCodeIsWrappedNeverLostOrUnbalanced(language: String) throws {
        let grammar = try #require(Markdown.Grammars.grammar(named: language))
        let pieces = ["\"", "'", "`", "\"\"\"", "/*", "*/", "//", "#", "#[", "<!--", "-->", "<a", "</b", ">", "/>", "=",
                      "\\", "$", "${", "@x", "0x1e+", ".5", "{", "}", ":", "r#\"", "'a", "é", " ", "-x", "&amp;", "x("]
        let ends = ["\n", "\n*/", "\n\"", "\n-->", "\n}", "\n'''", "\n`", "\n>"]
        for a in pieces {
            for b in pieces {
                for end in ends {
                    let code = Array((a + b + end + a).utf8)
                    var out: [UInt8] = [], plain: [UInt8] = []
                    Markdown.CodeBlocks.highlight(code, grammar, into: &out)
                    Markdown.Line.escape(code[...], into: &plain)
                    guard let stripped = withoutSpans(out), stripped == plain else {
                        Issue.record("\(String(decoding: code, as: UTF8.self).debugDescription) gave \(String(decoding: out, as: UTF8.self))")
                        return
                    }
                }
            }
        }
    }

    /// `html` without its spans; nil if a span is left open at a line's end or closes none.
    private func withoutSpans(_ html: [UInt8]) -> [UInt8]? {
        let open = Array("<span class=\"".utf8), close = Array("</span>".utf8)
        var out: [UInt8] = [], index = 0, depth = 0
        while index < html.count {
            if html[index...].starts(with: open) {
                index = html[index...].firstIndex(of: UInt8(ascii: ">"))! + 1
                depth += 1
            } else if html[index...].starts(with: close) {
                index += close.count
                depth -= 1
                if depth < 0 { return nil }
            } else {
                if html[index] == UInt8(ascii: "\n"), depth != 0 { return nil }
                out.append(html[index])
                index += 1
            }
        }
        return depth == 0 ? out : nil
    }

    @Test func codeThatLooksLikeMarkupStaysText() {
        let html = highlightedCode("x = \"</span><script>alert(1)</script>\" # <b>&amp;", "python")
        #expect(html == expand("x = ⟨str|\"</span><script>alert(1)</script>\"⟩ ⟨com|# <b>&amp;⟩\n"))
    }
}
