// Which Markdown renderer made a kept answer's HTML (migration 5): a fingerprint of the running one, so HTML kept
// by a Quarry that renders differently (a fix to tables, images no longer let through) is made again, not shown.
internal import Markdown
internal import Store

extension Markup {
    /// Bump when the answer markup around the text changes in a way the probe below cannot show.
    static let rendererRevision: UInt64 = 1

    /// Markdown that exercises what the renderer decides: blocks, inline markup, links, images (remote and
    /// inline), raw HTML, tables, code, task lists, footnotes, autolinks, entities, citations (one that names a
    /// passage, one that names none).
    static let probe = """
        # Heading *em* **strong** `code` ~~struck~~
        A [link](https://example.org "t") and <https://example.org>, www.example.org, &amp; &copy; <b>raw</b>
        <script>alert(1)</script>

        ![remote](https://example.org/x.png) ![inline](data:image/png;base64,iVBORw0KGgo=)

        | a | b | c |
        |:--|:-:|--:|
        | 1 | 2 |
        | 1 | 2 | 3 | 4 |

        ```swift
        let x = 1 < 2
        ```

        - [x] done
        - [ ] not
          1. nested

        > quote[^1], cited [1][2]

        [^1]: note

        ---
        """

    /// The one passage the probe's citations may name, made as an answer's are (`Markup.citations`): a change to
    /// the citations' addresses or titles changes the fingerprint too.
    static let probeCitations = citations(message: 1, sources: [
        SourceRecord(rank: 1, chunkID: 1, documentTitle: "Title", headingPath: "A › B", excerpt: "", score: 1,
                     distance: nil, relevance: 100, pages: 2...3),
    ])

    /// The running renderer's fingerprint: FNV-1a of the probe's render and the revision.
    static let renderer: Int64 = {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Markdown.html(probe, citations: probeCitations).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ rendererRevision) &* 0x0000_0100_0000_01b3
        return Int64(bitPattern: hash)
    }()
}
