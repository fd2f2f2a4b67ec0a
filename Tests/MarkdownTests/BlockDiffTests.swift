import Testing
@testable import Markdown

/// The answer as last sent, the answer now, and the operations that must take one to the other.
struct DiffCase: CustomTestStringConvertible, Sendable {
    let name: String
    let old: String
    let new: String
    let changes: [BlockChange]

    var testDescription: String { name }
}

let diffCases: [DiffCase] = [
    DiffCase(name: "equal", old: "a\n\nb", new: "a\n\nb", changes: []),
    DiffCase(name: "both empty", old: "", new: "", changes: []),
    DiffCase(name: "first block", old: "", new: "# Hi", changes: [.appendBlocks("<h1>Hi</h1>\n")]),
    DiffCase(name: "everything removed", old: "Hello", new: "", changes: [.replaceAll("")]),
    DiffCase(
        name: "text and an element grow a paragraph", old: "Hello wor", new: "Hello world, *yes*",
        changes: [.appendInside(depth: 0, html: "ld, <em>yes</em>")]),
    DiffCase(name: "new block", old: "Hello", new: "Hello\n\nWorld", changes: [.appendBlocks("<p>World</p>\n")]),
    DiffCase(
        name: "growth, then a new block", old: "Hello wor", new: "Hello world\n\n# Next",
        changes: [.appendInside(depth: 0, html: "ld"), .appendBlocks("<h1>Next</h1>\n")]),
    DiffCase(
        name: "tight list gains an item at the list, not the item", old: "- a\n- b", new: "- a\n- b\n- c",
        changes: [.appendInside(depth: 0, html: "<li>c</li>\n")]),
    DiffCase(
        name: "text grows in the last item", old: "- a\n- b", new: "- a\n- bc",
        changes: [.appendInside(depth: 1, html: "c")]),
    DiffCase(
        name: "the last item grows and the next one begins", old: "- a\n- b", new: "- a\n- bc\n- d",
        changes: [.appendInside(depth: 1, html: "c"), .appendInside(depth: 0, html: "<li>d</li>\n")]),
    DiffCase(
        name: "text grows in a nested item", old: "- a\n  - x", new: "- a\n  - xy",
        changes: [.appendInside(depth: 3, html: "y")]),
    DiffCase(
        name: "paragraph grows in a blockquote", old: "> one", new: "> one two",
        changes: [.appendInside(depth: 1, html: " two")]),
    DiffCase(
        name: "code block gains a line", old: "```swift\nlet a = 1\n", new: "```swift\nlet a = 1\nlet b = 2\n",
        changes: [.appendInside(depth: 1, html: "<span class=\"kw\">let</span> b = <span class=\"num\">2</span>\n")]),
    DiffCase(
        name: "code block fence closes: nothing to send", old: "```swift\nlet a = 1\n", new: "```swift\nlet a = 1\n```",
        changes: []),
    DiffCase(
        name: "table gains a row inside tbody", old: "| a | b |\n|---|---|\n| 1 | 2 |",
        new: "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |",
        changes: [.appendInside(depth: 1, html: "<tr>\n<td>3</td>\n<td>4</td>\n</tr>\n")]),
    DiffCase(
        name: "table gains its first body row", old: "| a |\n|---|", new: "| a |\n|---|\n| 1 |",
        changes: [.appendInside(depth: 0, html: "<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n")]),
    DiffCase(
        name: "last cell of a row grows", old: "| a | b |\n|---|---|\n| 1 | 2", new: "| a | b |\n|---|---|\n| 1 | 23",
        changes: [.appendInside(depth: 3, html: "3")]),
    DiffCase(
        name: "the last cell grows and the next row begins", old: "| a | b |\n|---|---|\n| 1 | 2",
        new: "| a | b |\n|---|---|\n| 1 | 23 |\n| 4",
        changes: [
            .appendInside(depth: 3, html: "3"), .appendInside(depth: 1, html: "<tr>\n<td>4</td>\n<td></td>\n</tr>\n"),
        ]),
    DiffCase(
        name: "a cell that is not the last grows: the row is updated", old: "| a | b |\n|---|---|\n| 1",
        new: "| a | b |\n|---|---|\n| 12", changes: [.updateInside(depth: 2, html: "\n<td>12</td>\n<td></td>\n")]),
    DiffCase(
        name: "table gains its delimiter row", old: "| a | b |", new: "| a | b |\n|---|---|",
        changes: [.replaceLast("<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n</table>\n")]),
    DiffCase(
        name: "paragraph turns into a setext heading", old: "Title\n", new: "Title\n===",
        changes: [.replaceLast("<h1>Title</h1>\n")]),
    DiffCase(name: "emphasis closes", old: "a *b", new: "a *b*", changes: [.updateInside(depth: 0, html: "a <em>b</em>")]),
    DiffCase(
        name: "emphasis closes in the last item of a list: only the item", old: "- one\n- two *b", new: "- one\n- two *b*",
        changes: [.updateInside(depth: 1, html: "two <em>b</em>")]),
    DiffCase(
        name: "list turns loose", old: "- a\n- b", new: "- a\n- b\n\n- c",
        changes: [.updateInside(depth: 0, html: "\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n")]),
    DiffCase(
        name: "replaced last block, then a new one", old: "a *b", new: "a *b*\n\nc",
        changes: [.updateInside(depth: 0, html: "a <em>b</em>"), .appendBlocks("<p>c</p>\n")]),
    DiffCase(name: "an ampersand grows", old: "a &", new: "a &a", changes: [.appendInside(depth: 0, html: "a")]),
    DiffCase(name: "an entity completes", old: "a &amp", new: "a &amp;", changes: [.updateInside(depth: 0, html: "a &amp;")]),
    DiffCase(name: "a less-than grows", old: "a <", new: "a <b", changes: [.appendInside(depth: 0, html: "b")]),
    DiffCase(name: "&lt; completes", old: "a &lt", new: "a &lt;", changes: [.updateInside(depth: 0, html: "a &lt;")]),
    DiffCase(
        name: "a combining accent is a change of bytes, though String == calls it equal", old: "caf\u{E9}",
        new: "cafe\u{301}", changes: [.updateInside(depth: 0, html: "cafe\u{301}")]),
    DiffCase(
        name: "a late link reference definition changes an earlier block", old: "see [docs][d]\n\nmore\n\n",
        new: "see [docs][d]\n\nmore\n\n[d]: https://x.example",
        changes: [.replaceAll("<p>see <a href=\"https://x.example\">docs</a></p>\n<p>more</p>\n")]),
    DiffCase(
        name: "the last block disappears into a definition", old: "Intro\n\n[d]", new: "Intro\n\n[d]: /u",
        changes: [.replaceAll("<p>Intro</p>\n")]),
    DiffCase(
        name: "a paragraph turns into an omitted HTML block", old: "Intro\n\n<b", new: "Intro\n\n<b>",
        changes: [.replaceLast("<!-- raw HTML omitted -->\n")]),
    DiffCase(
        name: "the last block is a comment, so it cannot be targeted", old: "Intro\n\n<b>", new: "Intro\n\n<b>x",
        changes: [.replaceAll("<p>Intro</p>\n<p><!-- raw HTML omitted -->x</p>\n")]),
    DiffCase(
        name: "blocks after a comment are appended", old: "Intro\n\n<b>", new: "Intro\n\n<b>\n\nmore",
        changes: [.appendBlocks("<p>more</p>\n")]),
    DiffCase(
        name: "a thematic break has nothing to grow", old: "---", new: "----", changes: []),
    DiffCase(
        name: "a hard break grows a paragraph", old: "a  \n", new: "a  \nb",
        changes: [.appendInside(depth: 0, html: "<br />\nb")]),
]

@Test(arguments: diffCases)
func diff(_ testCase: DiffCase) {
    let old = Markdown.blocks(testCase.old)
    let new = Markdown.blocks(testCase.new)
    let changes = BlockDiff.changes(from: old, to: new)
    #expect(changes == testCase.changes)
    #expect(bytes(BlockDiff.apply(changes, to: old)) == bytes(new))
}

/// A markdown text streamed in pieces: after every piece, the changes from what was sent so far to the blocks of
/// the text so far must give the HTML of the text so far, block for block.
struct StreamCase: CustomTestStringConvertible, Sendable {
    let name: String
    let markdown: String

    var testDescription: String { name }
}

let streamCases: [StreamCase] = [
    StreamCase(name: "code fences", markdown: """
        Some code:

        ```swift
        let a = "x" < "y" && true
        print(a)
        ```

        ````
        ```
        nested fence
        ````
        ~~~ruby
        puts 1
        ~~~
        """),
    StreamCase(name: "tables row by row", markdown: """
        | Name | Size | Note |
        |:-----|-----:|:----:|
        | a | 1 | *x* |
        | b | 22 | `y|z` |
        | c
        | d | 4 | 5 | 6 |

        after
        """),
    StreamCase(name: "setext headings and breaks", markdown: """
        Title
        =====
        Sub title
        ---------

        ***
        para
        ___
        # ATX *one*
        ### ATX three ###
        """),
    StreamCase(name: "lists tight to loose, ordered, nested", markdown: """
        - one
        - two
          - two a
          - two b

            two b more
        - three

        1. first
        2. second
        10) other

        3. three
           * inner
        """),
    StreamCase(name: "blockquotes", markdown: """
        > first para
        > still first
        >
        > second **para**
        >
        > > nested
        > - item
        lazy line

        > again
        """),
    StreamCase(name: "inline spans closing late", markdown: """
        Text with *em*, **strong**, ***both***, ~~strike~~, `code with `` ticks`, ``a ` b``, \
        [link](https://example.com/a?b=1&c=2 "title"), [ref][r], <https://auto.example>, \
        www.example.com/path, mail@example.com and _under_score_ and **unclosed

        [r]: https://ref.example "T"
        """),
    StreamCase(name: "entities, < and & in text", markdown: """
        a &amp; b &lt; c &gt; d &copy; &#169; &#xA9; &nope; AT&T 1 < 2 > 0 & x && y <3 \\<tag\\>

        `&amp; <b>` and "quotes" 'single'
        """),
    StreamCase(name: "non-ASCII", markdown: """
        # Café 日本語

        - é, ü, ß, 日本, 👩‍👩‍👧, 🇫🇷, cafe\u{301}
        - **粗体** and *斜体*

        | 名前 | 値 |
        |---|---|
        | 🍣 | ¥ |
        """),
    StreamCase(name: "raw HTML, hard breaks, definitions", markdown: """
        Line one  
        line two\\
        line three <b>bold</b> <img src=x onerror=y>

        <div>
        block html
        </div>

        <!-- c -->
        After [the docs][docs] and [more].

        [docs]: https://docs.example
        [more]: <https://more.example> 'M'
        """),
    StreamCase(name: "indented code and escapes", markdown: """
        para

            indented code
              more

        \\# not a heading, \\*not em\\*, 3\\. not a list
        """),
]

@Test(arguments: streamCases)
func streamedEveryWay(_ testCase: StreamCase) {
    let scalars = Array(testCase.markdown.unicodeScalars)
    for pieceSize in 1...7 {
        var sent: [String] = []
        var end = 0
        while end < scalars.count {
            end = min(end + pieceSize, scalars.count)
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars[..<end])
            let prefix = String(text)
            let now = Markdown.blocks(prefix)
            let changes = BlockDiff.changes(from: sent, to: now)
            sent = BlockDiff.apply(changes, to: sent)
            guard bytes(sent) == bytes(now), Array(sent.joined().utf8) == Array(Markdown.html(prefix).utf8) else {
                Issue.record("pieces of \(pieceSize), after \(prefix.debugDescription): \(changes) gave \(sent)")
                break
            }
        }
    }
}

/// The UTF-8 of each block, to compare byte for byte.
func bytes(_ blocks: [String]) -> [[UInt8]] {
    blocks.map { Array($0.utf8) }
}

/// A long answer of the kind a model writes: headings, paragraphs with inline markup, lists, a code block, a
/// table and a quote, about 1,000 tokens.
let realisticAnswer = """
    ## How the backup job works

    The nightly backup is driven by **`backup.sh`**, which runs from cron at 02:00 and copies the *document store*, \
    the search index and the configuration to the NAS. It was written in 2021 and last changed in March; see the \
    [operations handbook](https://wiki.example.com/ops/backup?section=nightly&lang=en) for the history. In short, \
    it stops the indexer, takes a consistent snapshot, starts the indexer again and only then copies the snapshot, \
    so that the service is down for *seconds* rather than for the whole copy.

    ### What it copies

    - the document store under `/srv/quarry/docs` (about 40 GB, mostly PDF files)
    - the SQLite database `quarry.db`, through `sqlite3 .backup` so that a write in progress is never torn
    - the configuration in `/etc/quarry`, including the TLS certificates
      - the private keys are encrypted with the team's backup key first
      - the certificates themselves are copied as they are
    - the logs of the last 7 days, compressed with `zstd -19`

    Nothing under `/tmp` or `/var/cache` is copied: both are rebuilt on start, and copying them would only make \
    the backup slower & larger.

    ### Steps, in order

    1. Stop the indexer with `systemctl stop quarry-indexer` and wait until its socket is gone.
    2. Take the snapshot:
       1. `lvcreate --snapshot --size 5G --name nightly /dev/vg0/srv`
       2. mount it read-only on `/mnt/nightly`
    3. Start the indexer again; from here on users can search while the copy runs.
    4. Copy with `rsync`, then remove the snapshot.
    5. Write a line to the report and send it if anything failed.

    The copy itself looks like this:

    ```bash
    #!/bin/sh
    set -eu
    SNAP=/mnt/nightly
    DEST="nas:/backups/quarry/$(date +%F)"
    rsync -a --delete --link-dest=../latest "$SNAP/" "$DEST/"
    sqlite3 /srv/quarry/quarry.db ".backup '$DEST/quarry.db'"
    if [ "$(du -s "$DEST" | cut -f1)" -lt 1000 ]; then
        echo "backup suspiciously small" >&2
        exit 1
    fi
    umount "$SNAP" && lvremove -f /dev/vg0/nightly
    ```

    ### How long each part takes

    | Step | Typical time | Worst seen |
    |:-----|-------------:|-----------:|
    | Stop indexer | 3 s | 40 s |
    | Snapshot | < 1 s | 2 s |
    | rsync | 12 min | 1 h 50 min |
    | SQLite backup | 45 s | 4 min |
    | Report | 1 s | 1 s |

    The worst rsync time was on the night after the *annual archive import*, when about 9,000 new files arrived \
    at once. Since then the import runs on Sundays, and the backup on Sunday night is allowed to take until 06:00.

    > **Note:** the backup key is not stored on the server. If you need to restore the private keys, ask someone \
    > from the operations team; the key is in the safe and in the password manager under "Quarry backup".
    >
    > Restores are tested every quarter; the last test was on 12 June and took 2 h 15 min end to end.

    ### Common problems

    1. **The snapshot fails with "insufficient free space".** The volume group needs at least 5 GB free. Check \
       with `vgs` and remove old snapshots with `lvremove` if any were left behind by a crashed run.
    2. **rsync reports "connection unexpectedly closed".** This is almost always the NAS rebooting for updates; \
       the job retries twice, 10 minutes apart, before it gives up. If it still fails, run it by hand:

       ```
       sudo -u backup /usr/local/bin/backup.sh --only-copy
       ```

    3. **The report says the backup is "suspiciously small".** Someone has moved the document store, or the \
       snapshot was mounted empty. Do *not* delete the older backups until you know which.

    If none of this helps, open a ticket in the ops queue and include the last report, the output of \
    `journalctl -u backup --since yesterday` and the result of `df -h`. Tickets about backups are answered the \
    same day; for anything urgent, call the on-call number on the [rota page](https://wiki.example.com/ops/rota).
    """

/// The bytes a streamed answer sends must stay near its final size. Rendered every 5 word-sized tokens, this
/// answer measured 2.4 times its final HTML: appends are about 0.8 of it, the rest is blocks that could only be
/// replaced (a code block whose unfinished last line loses the newline cmark gives it, a table row whose first
/// cells fill while empty cells follow, a list item's emphasis closing). Without nested appends it measured 8
/// times, replacing everything 65 times, so the bound of 3 catches either.
@Test func streamingCostsAboutTheFinalSize() {
    // Word-sized tokens: each run of non-space characters with the whitespace before it.
    var tokens: [String] = []
    for character in realisticAnswer {
        if tokens.isEmpty || (!character.isWhitespace && tokens[tokens.count - 1].last?.isWhitespace == true) {
            tokens.append("")
        }
        tokens[tokens.count - 1].append(character)
    }
    var sent: [String] = []
    var text = ""
    var bytes: [String: Int] = [:]
    for (index, token) in tokens.enumerated() {
        text += token
        guard index % 5 == 4 || index == tokens.count - 1 else { continue }
        let now = Markdown.blocks(text)
        let changes = BlockDiff.changes(from: sent, to: now)
        for change in changes {
            switch change {
            case .appendBlocks(let html): bytes["appendBlocks", default: 0] += html.utf8.count
            case .appendInside(_, let html): bytes["appendInside", default: 0] += html.utf8.count
            case .updateInside(_, let html): bytes["updateInside", default: 0] += html.utf8.count
            case .replaceLast(let html): bytes["replaceLast", default: 0] += html.utf8.count
            case .replaceAll(let html): bytes["replaceAll", default: 0] += html.utf8.count
            }
        }
        sent = BlockDiff.apply(changes, to: sent)
    }
    let final = Markdown.html(realisticAnswer).utf8.count
    let appended = bytes["appendBlocks", default: 0] + bytes["appendInside", default: 0]
    let replaced = bytes["updateInside", default: 0] + bytes["replaceLast", default: 0] + bytes["replaceAll", default: 0]
    let ratio = Double(appended + replaced) / Double(final)
    print("BlockDiff: \(tokens.count) tokens, final HTML \(final) B, sent \(appended + replaced) B (ratio \(ratio)):",
        bytes.sorted { $0.key < $1.key })
    #expect(Array(sent.joined().utf8) == Array(Markdown.html(realisticAnswer).utf8))
    #expect(Double(appended) <= 1.2 * Double(final))
    #expect(ratio <= 3)
}
