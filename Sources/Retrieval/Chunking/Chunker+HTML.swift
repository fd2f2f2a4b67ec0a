// HTML into headings and blocks of text, read by libxml2's HTML parser (the XML module) as a browser would: entities
// decoded, implied end tags closed, malformed markup repaired, `<script>` and `<style>` never text.
//
// The parser reports start tags, text and end tags in document order (SAX), always balanced, and no tree is built:
// text goes to the HTMLTextWriter, tags change its state. Chrome (navigation, page headers and footers, asides other
// than docutils' footnotes, citations and topics, Sphinx's sidebar, related bar, footer and "¶" header links, anything
// with role="navigation", scripts, media and form controls) is dropped with everything inside it: the reader notes
// the depth at which it started and ignores events until that element ends. `<header>` and `<footer>` inside
// `<article>` or `<main>` are content.

internal import XML

extension Chunker {
    final class HTMLReader: XMLContentHandler {
        private var writer = HTMLTextWriter()
        /// The text of the first `<title>`, while it is read and after.
        private var titleBytes: [UInt8]?
        private var inTitle = false
        /// How many elements are open.
        private var depth = 0
        /// The depth of the chrome element being dropped with everything inside it.
        private var skippedDepth: Int?
        /// How many `<article>` and `<main>` are open: their `<header>` and `<footer>` are content.
        private var contentDepth = 0
        /// Reused for each run of text.
        private var scratch: [UInt8] = []

        /// The outline of an HTML page (valid UTF-8): its first `<h1>` titles it, else its `<title>`.
        static func outline(_ text: [UInt8]) -> Outline {
            let reader = HTMLReader()
            XMLParser.parseHTML(text, handler: reader)
            reader.writer.finish()
            let elements = reader.writer.elements
            let title = reader.titleBytes.map { UTF8Text.headingText($0) }
            let hasHeading = elements.contains(where: \.isTopLevelHeading)
            return Outline(title: hasHeading || title?.isEmpty != false ? nil : title,
                           topLevelHeadingTitle: elements)
        }

        private init() {
            scratch.reserveCapacity(4096)
        }

        // MARK: XMLContentHandler

        func startElement(_ tag: XMLStartTag) {
            depth += 1
            guard skippedDepth == nil else { return }
            let element = HTMLElement.named(tag.name.localName)
            if isChrome(element, tag) {
                skippedDepth = depth
                return
            }
            if let level = element.headingLevel {
                writer.beginHeading(level: level)
                return
            }
            switch element {
            case .list: writer.openContainer(.list)
            case .table: writer.openContainer(.table)
            case .pre: writer.openContainer(.pre)
            case .listItem: writer.listItem()
            case .row: writer.lineBreak()
            case .cell: writer.tableCell()
            case .lineBreak: writer.lineBreakElement()
            case .term, .definition: writer.blockBreak()
            case .content:
                contentDepth += 1
                writer.blockBreak()
            case .paragraph:
                writer.blockBreak()
                if tag.hasClass("admonition-title") { writer.keepWithNext() }
            case .title:
                if titleBytes == nil {
                    titleBytes = []
                    inTitle = true
                }
            case .block, .header, .footer, .aside, .division: writer.blockBreak()
            case .inline, .anchor, .dropped, .heading: break
            }
        }

        func endElement(_ name: XMLName) {
            defer { depth = max(0, depth - 1) }
            if let skipped = skippedDepth {
                if depth <= skipped { skippedDepth = nil }
                return
            }
            let element = HTMLElement.named(name.localName)
            if element.headingLevel != nil {
                writer.endHeading()
                return
            }
            switch element {
            case .list: writer.closeContainer(.list)
            case .table: writer.closeContainer(.table)
            case .pre: writer.closeContainer(.pre)
            case .listItem, .row: writer.lineBreak()
            case .term: writer.endTerm()
            case .definition: writer.blockBreak()
            case .content:
                contentDepth = max(0, contentDepth - 1)
                writer.blockBreak()
            case .title: inTitle = false
            case .block, .paragraph, .header, .footer, .aside, .division: writer.blockBreak()
            case .inline, .anchor, .dropped, .heading, .cell, .lineBreak: break
            }
        }

        func characters(_ text: XMLText) {
            guard skippedDepth == nil else { return }
            if inTitle {
                text.append(to: &titleBytes!)
                return
            }
            scratch.removeAll(keepingCapacity: true)
            text.append(to: &scratch)
            scratch.withUnsafeBufferPointer { writer.text($0) }
        }

        // MARK: Chrome

        /// Navigation and page furniture, not content.
        private func isChrome(_ element: HTMLElement, _ tag: XMLStartTag) -> Bool {
            switch element {
            case .dropped: return true
            case .header, .footer: return contentDepth == 0
            case .aside:
                // Docutils writes footnotes, citations and topics as <aside>: those are content.
                return !(tag.hasClass("footnote") || tag.hasClass("footnote-list") || tag.hasClass("citation")
                    || tag.hasClass("topic"))
            case .division:
                if tag.hasClass("sphinxsidebar") || tag.hasClass("related") || tag.hasClass("footer") { return true }
            case .anchor:
                if tag.hasClass("headerlink") { return true }
            default:
                break
            }
            return tag.attribute("role") == "navigation"
        }
    }
}
