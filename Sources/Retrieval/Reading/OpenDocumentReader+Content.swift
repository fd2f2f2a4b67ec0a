// The body of an OpenDocument text (content.xml), read as SAX events into an OutlineBuilder.
//
// `text:h` is a heading of its `text:outline-level`; `text:p` is prose, or the Title, or a line of code, by its
// style (an automatic style, declared earlier in the same part, names the style it is based on); paragraphs inside
// `text:list-item` are list items, a list inside an item one level deeper; `table:table` is one table block.
// Whitespace follows ODF 1.2 §6.1.2: runs of spaces, tabs and line ends in a paragraph are one space, and the
// spaces that count are written as `text:s` (with a count, `text:c`), `text:tab` and `text:line-break`.
// Not text: annotations, tracked changes (the deleted text they keep), footnotes and endnotes (`text:note`), frames
// (images, text boxes), and generated indexes (a table of contents repeats the headings).
internal import XML

extension OpenDocumentReader {
    static let textNamespace = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    static let tableNamespace = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    static let officeNamespace = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    static let styleNamespace = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
    static let drawingNamespace = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"

    /// Whether an element is skipped with everything inside it, by its namespace's short name and local name.
    static func isSkipped(_ prefix: String, _ name: String) -> Bool {
        switch (prefix, name) {
        case ("office", "annotation"), ("office", "forms"), ("draw", "frame"), ("text", "tracked-changes"),
             ("text", "note"), ("text", "table-of-content"), ("text", "alphabetical-index"),
             ("text", "illustration-index"), ("text", "table-index"), ("text", "object-index"),
             ("text", "user-index"), ("text", "sequence-decls"), ("text", "variable-decls"),
             ("text", "user-field-decls"):
            true
        default:
            false
        }
    }

    /// The most spaces one `text:s` may stand for (a hostile count must not cost memory).
    static let maximumSpaces = 256

    final class ContentReader: XMLContentHandler {
        var builder = OutlineBuilder()
        /// Automatic paragraph styles: name → the style they are based on.
        private var parents: [String: String] = [:]
        /// Style names resolved by `style(_:)`.
        private var styles: [String: String] = [:]

        private var skipDepth = 0
        private var inBody = false
        // The paragraph or heading being read: its text, its heading level (nil for `text:p`), its style, and
        // whether the last byte was collapsible whitespace.
        private var paragraphDepth = 0
        private var text: [UInt8] = []
        private var headingLevel: Int?
        private var styleName: String?
        private var afterSpace = true
        /// The text of one `characters` call, copied out of the parser's buffer.
        private var scratch: [UInt8] = []
        /// For each open list, the paragraphs read so far in its current item.
        private var itemParagraphs: [Int] = []
        // Tables, as in the Word reader.
        private var tableDepth = 0
        private var rows: [[[UInt8]]] = []
        private var row: [[UInt8]] = []
        private var cell: [UInt8] = []

        func startElement(_ tag: XMLStartTag) {
            if skipDepth > 0 { skipDepth += 1; return }
            let name = tag.name.localName
            guard let prefix = Self.prefix(tag.name.namespace) else { return }
            if OpenDocumentReader.isSkipped(prefix, name) { skipDepth = 1; return }
            switch (prefix, name) {
            case ("style", "style") where !inBody:
                if let style = tag.attribute("name"), let parent = tag.attribute("parent-style-name") {
                    parents[style] = parent
                }
            case ("office", "text"): inBody = true
            case ("text", "p"), ("text", "h"):
                paragraphDepth += 1
                if paragraphDepth > 1 { space(); return }
                text.removeAll(keepingCapacity: true)
                afterSpace = true
                styleName = tag.attribute("style-name")
                headingLevel = name == "h" ? tag.attribute("outline-level").flatMap { Int($0) } ?? 1 : nil
            case ("text", "s"):
                let count = tag.attribute("c").flatMap { Int($0) } ?? 1
                text += repeatElement(0x20, count: min(max(count, 1), OpenDocumentReader.maximumSpaces))
                afterSpace = false
            case ("text", "tab"):
                text.append(0x09)
                afterSpace = true
            case ("text", "line-break"):
                text.append(0x0A)
                afterSpace = true
            case ("text", "list"): itemParagraphs.append(0)
            case ("text", "list-item"), ("text", "list-header"):
                if !itemParagraphs.isEmpty { itemParagraphs[itemParagraphs.count - 1] = 0 }
            case ("table", "table"):
                tableDepth += 1
                if tableDepth == 1 { rows.removeAll() }
            case ("table", "table-row"): if tableDepth == 1 { row.removeAll() }
            case ("table", "table-cell"): if tableDepth == 1 { cell.removeAll() }
            default: break
            }
        }

        func endElement(_ name: XMLName) {
            if skipDepth > 0 { skipDepth -= 1; return }
            guard let prefix = Self.prefix(name.namespace) else { return }
            switch (prefix, name.localName) {
            case ("office", "text"): inBody = false
            case ("text", "p"), ("text", "h"):
                paragraphDepth = max(0, paragraphDepth - 1)
                if paragraphDepth == 0 { endParagraph() }
            case ("text", "list"): _ = itemParagraphs.popLast()
            case ("table", "table-cell"):
                if tableDepth == 1 { row.append(cell) } else if tableDepth > 1 { cell.append(0x20) }
            case ("table", "table-row"): if tableDepth == 1 { rows.append(row) }
            case ("table", "table"):
                tableDepth = max(0, tableDepth - 1)
                if tableDepth == 0 { builder.table(rows) }
            default: break
            }
        }

        func characters(_ text: XMLText) {
            guard paragraphDepth > 0, skipDepth == 0 else { return }
            scratch.removeAll(keepingCapacity: true)
            text.append(to: &scratch)
            // Worked on as locals: a class's stored properties are checked for exclusive access on every touch.
            var output = self.text
            self.text = []
            var afterSpace = self.afterSpace
            for byte in scratch {
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    if !afterSpace { output.append(0x20) }
                    afterSpace = true
                } else {
                    output.append(byte)
                    afterSpace = false
                }
            }
            self.text = output
            self.afterSpace = afterSpace
        }

        /// Collapsible whitespace: one space, none at the start of a paragraph or after another.
        private func space() {
            if !afterSpace { text.append(0x20) }
            afterSpace = true
        }

        private func endParagraph() {
            if tableDepth > 0 {
                if !cell.isEmpty { cell.append(0x20) }
                cell += text
                return
            }
            if let headingLevel {
                builder.heading(level: headingLevel, text)
                return
            }
            let style = self.style(styleName)
            if !itemParagraphs.isEmpty {
                let index = itemParagraphs.count - 1
                builder.listItem(text, depth: index, continued: itemParagraphs[index] > 0)
                itemParagraphs[index] += 1
            } else if style == "title" {
                builder.title(text)
            } else if style.contains("preformatted") || style.contains("code") || style.contains("verbatim") {
                builder.codeLine(text)
            } else {
                builder.paragraph(text, keepWithNext: style == "definition term")
            }
        }

        /// The lower-cased name of the style `name` is (an automatic style: the one it is based on), with ODF's
        /// escapes for spaces undone ("Preformatted_20_Text" → "preformatted text").
        private func style(_ name: String?) -> String {
            guard let name else { return "" }
            if let known = styles[name] { return known }
            var style = name
            for _ in 0..<8 {
                guard let parent = parents[style] else { break }
                style = parent
            }
            let resolved = style.replacing("_20_", with: " ").lowercased()
            styles[name] = resolved
            return resolved
        }

        /// The short name of an OpenDocument namespace this reader looks at, or nil.
        private static func prefix(_ namespace: String?) -> String? {
            switch namespace {
            case OpenDocumentReader.textNamespace: "text"
            case OpenDocumentReader.tableNamespace: "table"
            case OpenDocumentReader.officeNamespace: "office"
            case OpenDocumentReader.styleNamespace: "style"
            case OpenDocumentReader.drawingNamespace: "draw"
            default: nil
            }
        }
    }
}
