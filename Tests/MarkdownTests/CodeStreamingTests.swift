import Testing
@testable import Markdown

/// Answers with code of the kind a model writes, in the languages the highlighter knows, with what carries state
/// from line to line: docstrings, block comments, template and raw strings, tags and comments over several lines,
/// CSS braces, a block in a list item, a language it does not know and a fence never closed.
let codeAnswers: [String] = [
    """
    To read the settings, use a small function:

    ```python
    import json

    def load(path: str) -> dict:
        \"\"\"Read the settings.

        Missing keys take their defaults.\"\"\"
        with open(path) as f:  # UTF-8
            return {**DEFAULTS, **json.load(f)}
    ```

    Then call `load("quarry.json")`. In JavaScript the same is:

    ```js
    /* Reads the settings
       and merges them. */
    const load = async (path) => {
      const text = await fs.readFile(path, "utf8");
      return `settings from ${path}:
    ${text}`;
    };
    ```
    """,
    """
    1. Create the table:

       ```sql
       CREATE TABLE notes (
         id INTEGER PRIMARY KEY,
         body TEXT NOT NULL DEFAULT 'it''s
       multi-line' -- a note
       );
       ```

    2. Serve it with this page:

       ```html
       <!-- the page
            itself -->
       <a href="/notes?x=1&amp;y=2"
          class="link">Notes &amp; more</a>
       ```
    """,
    """
    A C program and its style:

    ```c
    #include <stdio.h>
    int main(void) {
        /* greet
         * everyone */
        printf("%s\\n", "hi");
        return 0;
    }
    ```

    ```css
    @media (max-width: 600px) {
      .card > a:hover { color: #1e90ff; }
    }
    ```

    ```yaml
    server:
      port: 8080  # default
      name: "quarry"
    ```

    ```go
    var help = `usage:
      quarry serve`
    ```

    ```rust
    fn first<'a>(s: &'a str) -> Option<char> { s.chars().next() }
    ```
    """,
    """
    Swift, shell, JSON, and something unknown:

    ```swift
    let banner = \"\"\"
        Quarry "\\(version)"
        \"\"\"
    @MainActor func show() async throws { print(banner) }
    ```

    ```sh
    export QUARRY_PORT=8080
    echo "multi
    line $QUARRY_PORT" # done
    ```

    ```json
    {"port": 8080, "tls": false, "tags": ["a", null]}
    ```

    ```cobol
    MOVE 1 TO X.
    ```

    ```typescript
    interface Note { id: number; body?: string }
    class Store<T> implements Repo<T> {
    """,
]

@Suite struct CodeStreamingTests {
    /// At prefixes cut anywhere (steps of 1 to 9 scalars in a fixed, irregular pattern), the renderer that keeps
    /// finished blocks, and the changes sent from one prefix to the next, give exactly the render of the prefix.
    @Test(arguments: codeAnswers.indices)
    func everyPrefixStreamsToTheRenderOfThatPrefix(index: Int) {
        let scalars = Array(codeAnswers[index].unicodeScalars)
        var renderer = Markdown.BlockRenderer()
        var sent: [String] = []
        var end = 0, step = 0
        while end < scalars.count {
            step += 1
            end = min(end + (step * 7_919) % 9 + 1, scalars.count)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[..<end])
            let prefix = String(view)
            let blocks = renderer.blocks(prefix), whole = Markdown.blocks(prefix)
            sent = BlockDiff.apply(BlockDiff.changes(from: sent, to: blocks), to: sent)
            guard blocks == whole, bytes(sent) == bytes(whole),
                  Array(sent.joined().utf8) == Array(Markdown.html(prefix).utf8)
            else {
                Issue.record("after \(prefix.debugDescription):\n\(blocks)\n\(whole)\n\(sent)")
                return
            }
        }
    }

    /// Line by line, as the chat sends a code block (a line being typed waits for its end): each new line of code
    /// is one append into the code element, holding that line's HTML alone. Nothing sent before it changes, even
    /// inside a comment or string that started lines earlier.
    @Test(arguments: codeAnswers.indices)
    func aNewLineOfCodeIsOneAppendAndNothingBeforeItChanges(index: Int) {
        let lines = codeAnswers[index].split(separator: "\n", omittingEmptySubsequences: false)
        var fence = Markdown.FenceTracker()
        var text = "", checked = 0
        for line in lines.dropLast() {
            let before = text
            let wasOpen = fence.isOpen
            fence.read(Array(line.utf8))
            text += line + "\n"
            guard wasOpen, fence.isOpen else { continue }
            let changes = BlockDiff.changes(from: Markdown.blocks(before), to: Markdown.blocks(text))
            guard changes.count == 1, case .appendInside(_, let html) = changes[0],
                  html.last == "\n", html.dropLast().allSatisfy({ $0 != "\n" })
            else {
                Issue.record("\(line.debugDescription) sent \(changes)")
                continue
            }
            checked += 1
        }
        #expect(checked >= 5)
    }

    /// Highlighted answers streamed in word-sized pieces cost about their final HTML on the wire, as plain ones
    /// do. As in the chat, a last line inside a fence waits for its end (`PageAnswer.renderable`).
    @Test func streamingHighlightedCodeCostsAboutItsFinalSize() {
        let answer = codeAnswers.joined(separator: "\n\n")
        var sent: [String] = [], text = "", shown = "", appended = 0, total = 0
        for word in answer.split(separator: " ", omittingEmptySubsequences: false) {
            text += word + " "
            let bytes = Array(text.utf8)
            let lineStart = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            shown = Markdown.endsInsideFence(bytes[..<lineStart])
                ? String(decoding: bytes[..<lineStart], as: UTF8.self) : text
            let changes = BlockDiff.changes(from: sent, to: Markdown.blocks(shown))
            for change in changes {
                switch change {
                case .appendBlocks(let html), .appendInside(_, let html):
                    appended += html.utf8.count
                    total += html.utf8.count
                case .updateInside(_, let html), .replaceLast(let html), .replaceAll(let html):
                    total += html.utf8.count
                }
            }
            sent = BlockDiff.apply(changes, to: sent)
        }
        let final = Markdown.html(shown).utf8.count
        print("highlighted answers in words: final HTML \(final) B, sent \(total) B, appended \(appended) B")
        #expect(sent.joined().utf8.elementsEqual(Markdown.html(shown).utf8))
        #expect(Double(appended) <= 1.2 * Double(final))
        #expect(Double(total) <= 1.2 * Double(final))
    }
}
