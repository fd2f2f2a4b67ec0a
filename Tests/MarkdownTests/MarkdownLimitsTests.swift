import Testing
@testable import Markdown

/// A table of `columns` columns: header, delimiter row and `rows` rows of one cell each (cmark pads the rest).
func table(columns: Int, rows: Int, delimiter: String = "-") -> String {
    "|" + Array(repeating: "a", count: columns).joined(separator: "|") + "|\n"
        + "|" + Array(repeating: delimiter, count: columns).joined(separator: "|") + "|\n"
        + (0..<rows).map { "|\($0)|\n" }.joined()
}

/// How many times `needle` occurs in `html`.
func occurrences(of needle: String, in html: String) -> Int {
    let bytes = Array(html.utf8), pattern = Array(needle.utf8)
    guard bytes.count >= pattern.count else { return 0 }
    return (0...(bytes.count - pattern.count)).filter { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }.count
}

/// The cells of `html`'s tables.
func cellCount(_ html: String) -> Int {
    occurrences(of: "<td", in: html) + occurrences(of: "<th", in: html) - occurrences(of: "<thead", in: html)
}

/// What follows the last table of `html`.
func afterTables(_ html: String) -> String {
    let bytes = Array(html.utf8), end = Array("</table>".utf8)
    guard bytes.count >= end.count,
          let last = (0...(bytes.count - end.count)).last(where: { bytes[$0..<($0 + end.count)].elementsEqual(end) })
    else { return html }
    return String(decoding: bytes[(last + end.count)...], as: UTF8.self)
}

/// What a render of a hostile table may cost: `Markdown.Limits`.
@Suite struct MarkdownLimitsTests {
    /// The attack of issue 11: 6.6 KB whose 1,000-column header made 200,000 padded cells on every re-render.
    @Test func aThousandColumnHeaderIsShownAsItsText() {
        let markdown = "Here:\n\n" + table(columns: 1_000, rows: 250)
        let html = Markdown.html(markdown)
        #expect(!html.contains("<table"))
        #expect(cellCount(html) == 0)
        #expect(html.utf8.count < markdown.utf8.count + 100, "\(html.utf8.count) B of HTML for \(markdown.utf8.count) B")
        // The same characters as written: the escape that keeps cmark from making the table does not show.
        #expect(html.contains("|a|a|a|") && html.contains("|-|-|-|") && html.contains("|249|"))
        #expect(!html.contains("\\"))
        #expect(Markdown.blocks(markdown).joined() == html)
    }

    @Test func aTableAtTheColumnLimitIsATable() {
        let html = Markdown.html(table(columns: 64, rows: 2))
        #expect(html.contains("<table>") && cellCount(html) == 64 * 3)
        #expect(!Markdown.html(table(columns: 65, rows: 2)).contains("<table"))
    }

    /// Cells are counted over the whole document, header width times rows; rows past the limit are text.
    /// (columns, rows, tableCells, cells made, the first row shown as text after the table if any)
    static let cellCases: [(Int, Int, Int, Int, String?)] = [
        (10, 50, 200, 200, "|19|"),
        (64, 1_000, 10_000, 64 * 156, "|155|"),
        (3, 2, 9, 9, nil),
        (3, 3, 9, 9, "|2|"),
    ]

    @Test(arguments: cellCases)
    func rowsPastTheCellLimitAreText(columns: Int, rows: Int, tableCells: Int, cells: Int, firstOutside: String?) {
        let limits = Markdown.Limits(tableCells: tableCells)
        let html = Markdown.html(table(columns: columns, rows: rows), limits: limits)
        #expect(cellCount(html) == cells)
        if let firstOutside {
            let after = afterTables(html)
            #expect(after.hasPrefix("\n<p>\(firstOutside)") && after.contains("|\(rows - 1)|"), "\(after.prefix(80))")
        } else {
            #expect(afterTables(html).allSatisfy { $0.isWhitespace })
        }
    }

    @Test func theCellLimitCountsEveryTable() {
        let two = table(columns: 2, rows: 2)  // 6 cells each
        let html = Markdown.html([two, two, two].joined(separator: "\n"), limits: .init(tableCells: 12))
        #expect(occurrences(of: "<table>", in: html) == 2)
        #expect(cellCount(html) == 12)
    }

    static let wideCases: [String] = [
        "Text\n" + table(columns: 100, rows: 1),                       // under a paragraph
        "> " + table(columns: 100, rows: 1).split(separator: "\n").joined(separator: "\n> ") + "\n",  // quoted
        "| a | b |\n- | - | " + Array(repeating: "- |", count: 100).joined() + "\n",  // would be a list without it
        "| a |\n :--: | " + Array(repeating: ":-: |", count: 100).joined() + "\n",
    ]

    @Test(arguments: wideCases)
    func aWideDelimiterRowIsNeverATableAndReadsAsWritten(markdown: String) {
        let html = Markdown.html(markdown)
        #expect(!html.contains("<table") && !html.contains("\\"), "\(html)")
    }

    @Test func aDelimiterRowInACodeBlockIsLeftAlone() {
        let code = "```\n" + table(columns: 100, rows: 1) + "```\n"
        let html = Markdown.html(code)
        #expect(html.hasPrefix("<pre>" + Markdown.CodeBlocks.copyButton + "<code>|a|a|") && html.contains("\n|-|-|") && !html.contains("\\"))
    }

    @Test func ordinaryMarkdownIsUntouched() {
        var source = "# T\n\n" + table(columns: 5, rows: 5) + "\n- a\n- b\n\n```\n| x |\n|---|\n```\n"
        #expect(source.withUTF8 { Markdown.TableBudget.bounded($0, limits: .standard) } == nil)
    }

    @Test(arguments: [
        ("|-|", 1), ("| --- | :-: | --: |", 3), ("-|-", 2), (" :- | -: ", 2), ("|---", 1),
    ])
    func delimiterRows(line: String, width: Int) {
        var line = line
        #expect(line.withUTF8 { Markdown.TableBudget.delimiterRowWidth($0) } == width)
    }

    @Test(arguments: ["---", "| a |", "|-a-|", "| : |", "", "- item"])
    func notDelimiterRows(line: String) {
        var line = line
        #expect(line.withUTF8 { Markdown.TableBudget.delimiterRowWidth($0) } == nil)
    }
}
