// The body of a .docx (word/document.xml), read as SAX events into an OutlineBuilder.
//
// A paragraph (`w:p`) is a heading, the Title, a list item, a line of code or prose by its style (see
// WordReader+Styles.swift), by a `w:outlineLvl` in its own properties, and by `w:numPr` (numbered or bulleted).
// Its text is the `w:t` of its runs, `w:tab` a tab, `w:br` and `w:cr` a line break. Not text: deletions and moves
// away in tracked changes (`w:del`, `w:moveFrom`), field instructions (`w:instrText`; a field's result is text),
// drawings and VML pictures with their text boxes, the older properties of tracked formatting changes, and the
// fallback half of `mc:AlternateContent` (it repeats the choice). A table (`w:tbl`) becomes one table block; a
// table inside a cell adds its text to that cell.
internal import XML

extension WordReader {
    final class DocumentReader: XMLContentHandler {
        var builder = OutlineBuilder()
        private var styles: Styles

        /// The element being skipped with everything inside it, counted by depth (0: none).
        private var skipDepth = 0
        // The paragraph being read.
        private var text: [UInt8] = []
        private var styleID: String?
        private var outlineLevel: Int?
        private var numbered = false
        private var listLevel = 0
        private var inProperties = false
        private var inRun = 0
        private var inText = false
        // Tables: how deep, and the outermost one's rows so far.
        private var tableDepth = 0
        private var rows: [[[UInt8]]] = []
        private var row: [[UInt8]] = []
        private var cell: [UInt8] = []

        init(styles: Styles) { self.styles = styles }

        static let markupCompatibility = "http://schemas.openxmlformats.org/markup-compatibility/2006"

        /// The WordprocessingML elements this reader acts on, by local name: one hash per element instead of a
        /// comparison with each name (most elements of a document are run properties it passes over).
        enum Element {
            case text, run, tab, lineBreak, hyphen, paragraph, paragraphProperties, style, outlineLevel, numbering
            case listLevel, skipped, table, row, cell

            static let named: [String: Element] = [
                "t": .text, "r": .run, "tab": .tab, "ptab": .tab, "br": .lineBreak, "cr": .lineBreak,
                "noBreakHyphen": .hyphen, "p": .paragraph, "pPr": .paragraphProperties, "pStyle": .style,
                "outlineLvl": .outlineLevel, "numId": .numbering, "ilvl": .listLevel, "tbl": .table, "tr": .row,
                "tc": .cell, "del": .skipped, "moveFrom": .skipped, "instrText": .skipped, "delInstrText": .skipped,
                "drawing": .skipped, "pict": .skipped, "object": .skipped, "pPrChange": .skipped,
                "rPrChange": .skipped,
            ]
        }

        func startElement(_ tag: XMLStartTag) {
            if skipDepth > 0 { skipDepth += 1; return }
            let name = tag.name.localName
            guard let element = Element.named[name] else {
                if name == "Fallback", tag.name.namespace == Self.markupCompatibility { skipDepth = 1 }
                return
            }
            guard WordReader.isWordNamespace(tag.name.namespace) else { return }
            switch element {
            case .text: inText = inRun > 0
            case .run: inRun += 1
            case .tab: if inRun > 0, !inProperties { text.append(0x09) }
            case .lineBreak: if inRun > 0 { text.append(0x0A) }
            case .hyphen: if inRun > 0 { text.append(0x2D) }
            case .paragraph:
                text.removeAll(keepingCapacity: true)
                styleID = nil
                outlineLevel = nil
                numbered = false
                listLevel = 0
            case .paragraphProperties: inProperties = true
            case .style: if inProperties { styleID = tag.attribute("val") }
            case .outlineLevel: if inProperties { outlineLevel = tag.attribute("val").flatMap { Int($0) } }
            case .numbering: if inProperties { numbered = tag.attribute("val") != "0" }
            case .listLevel: if inProperties { listLevel = tag.attribute("val").flatMap { Int($0) } ?? 0 }
            case .skipped: skipDepth = 1
            case .table:
                tableDepth += 1
                if tableDepth == 1 { rows.removeAll() }
            case .row: if tableDepth == 1 { row.removeAll() }
            case .cell: if tableDepth == 1 { cell.removeAll() }
            }
        }

        func endElement(_ name: XMLName) {
            if skipDepth > 0 { skipDepth -= 1; return }
            guard let element = Element.named[name.localName], WordReader.isWordNamespace(name.namespace) else {
                return
            }
            switch element {
            case .text: inText = false
            case .run: inRun = max(0, inRun - 1)
            case .paragraphProperties: inProperties = false
            case .paragraph: endParagraph()
            case .cell: if tableDepth == 1 { row.append(cell) } else if tableDepth > 1 { cell.append(0x20) }
            case .row: if tableDepth == 1 { rows.append(row) }
            case .table:
                tableDepth = max(0, tableDepth - 1)
                if tableDepth == 0 { builder.table(rows) }
            default: break
            }
        }

        func characters(_ text: XMLText) {
            if inText, skipDepth == 0 { text.append(to: &self.text) }
        }

        private func endParagraph() {
            if tableDepth > 0 {
                if !cell.isEmpty { cell.append(0x20) }
                cell += text
                return
            }
            let role = styles.role(styleID)
            if role.isContents { return }
            // The paragraph's own outline level wins over its style's; 9 is body text.
            var level = role.headingLevel
            if let outlineLevel { level = outlineLevel < 9 ? outlineLevel + 1 : nil }
            if role.isTitle {
                builder.title(text)
            } else if let level {
                builder.heading(level: level, text)
            } else if numbered || role.isList {
                builder.listItem(text, depth: listLevel)
            } else if role.isCode {
                builder.codeLine(text)
            } else {
                builder.paragraph(text, keepWithNext: role.isTerm)
            }
        }
    }
}
