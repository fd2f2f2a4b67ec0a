import Testing
@testable import Markdown

/// The renderer that keeps finished blocks gives what a whole render gives, after every piece of every stream,
/// while parsing each finished block once.
@Suite struct BlockRendererTests {
    static let texts: [String] = streamCases.map(\.markdown) + blocksCases.map(\.markdown) + [
        "# Title\n\nIntro.\n\n" + (1...30).map { "Paragraph \($0) with *emphasis*.\n\n" }.joined(),
        "Text\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter\n\n- x\n- y\n",
        "- a\n- b\n\n- c\n\nPara\n\n> q\nlazy\n\n    code\n\nend",
        "Title\n---\n\nSecond\n===\n\n***\n\n<div>\nx\n</div>\n\nafter",
        "one\r\ntwo\r\n\r\nthree\rfour\r\rfive\n",
        "Use [it][r] here.\n\nMore.\n\n[r]: https://example.org\n\nAnd [it][r] again.\n",
        "![img](https://e.example/a.png)\n\ntext\n\n![b](data:image/png;base64,iVBORw0KGgo=)\n",
        "```\nfenced\n\nstill\n```\n\n~~~\nx\n~~~\n\nafter\n",
    ]

    @Test(arguments: texts.indices)
    func everyPrefixRendersAsAWholeRender(index: Int) {
        let scalars = Array(Self.texts[index].unicodeScalars)
        for pieceSize in [1, 2, 5] {
            var renderer = Markdown.BlockRenderer()
            var end = 0
            while end < scalars.count {
                end = min(end + pieceSize, scalars.count)
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[..<end])
                let prefix = String(view)
                let blocks = renderer.blocks(prefix)
                guard blocks == Markdown.blocks(prefix) else {
                    Issue.record("pieces of \(pieceSize), after \(prefix.debugDescription): \(blocks)")
                    break
                }
            }
        }
    }

    /// 300 paragraphs word by word: each update parses the open paragraph (and the one before until the next
    /// starts on a whole line), not the answer (a whole render each time parses about 150 times the text).
    @Test func finishedBlocksAreParsedOnce() {
        let text = (1...300).map { "Paragraph \($0) about granite, marble and slate.\n\n" }.joined()
        let words = text.split(separator: " ").map { $0 + " " }
        var renderer = Markdown.BlockRenderer(), prefix = "", whole = 0
        for word in words {
            prefix += word
            _ = renderer.blocks(prefix)
            whole += prefix.utf8.count
        }
        #expect(renderer.blocks(prefix) == Markdown.blocks(prefix))
        #expect(renderer.parsedBytes < 20 * text.utf8.count, "\(renderer.parsedBytes) B parsed for \(text.utf8.count) B")
        #expect(whole > 100 * text.utf8.count)
    }

    /// A table cut at the cell limit is finished: the rows after it, shown as text, are parsed without it.
    @Test func aCutTableIsKept() {
        let limits = Markdown.Limits(tableCells: 200)
        let table = "|" + String(repeating: "h|", count: 10) + "\n|" + String(repeating: "-|", count: 10) + "\n"
            + (0..<19).map { "|\($0)|\n" }.joined()  // 20 rows of 10 cells with the header: the limit
        let rest = (19..<300).map { "|\($0)|\n" }
        var renderer = Markdown.BlockRenderer(limits: limits), prefix = table, whole = 0
        for line in rest {
            prefix += line
            whole += prefix.utf8.count
            guard renderer.blocks(prefix) == Markdown.blocks(prefix, limits: limits) else {
                Issue.record("after \(prefix.suffix(30).debugDescription)")
                break
            }
        }
        #expect(renderer.parsedBytes <= whole - table.utf8.count * (rest.count - 2))
    }

    @Test(arguments: [(0, [Int](), 0), (5, [], 5), (5, [3], 4), (3, [3], 3), (2, [3], 2), (7, [3, 4], 5), (1, [1], 1)])
    func sourceLines(parsed: Int, cuts: [Int], source: Int) {
        #expect(Markdown.BlockRenderer.sourceLine(parsed, cutLines: cuts) == source)
    }

    /// A text that is not the kept text grown is rendered again from the start.
    @Test func aDifferentTextStartsAgain() {
        var renderer = Markdown.BlockRenderer()
        _ = renderer.blocks("a\n\nb\n\nc")
        #expect(renderer.blocks("x\n\ny") == Markdown.blocks("x\n\ny"))
        #expect(renderer.blocks("x") == Markdown.blocks("x"))
    }

    /// The table-cell budget is the document's: tables kept earlier count against the tail's.
    @Test func theCellBudgetIsShared() {
        let limits = Markdown.Limits(tableCells: 12)
        let two = "| a | b |\n|---|---|\n| 1 | 2 |\n\nText.\n\n"
        let text = two + two + two
        var renderer = Markdown.BlockRenderer(limits: limits), prefix = ""
        for character in text {
            prefix.append(character)
            #expect(renderer.blocks(prefix) == Markdown.blocks(prefix, limits: limits), "\(prefix.debugDescription)")
        }
    }
}
