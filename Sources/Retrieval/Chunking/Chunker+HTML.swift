// HTML into headings and blocks of text: a single forward scan over the bytes, linear in the input.
//
// The scanner never backtracks and keeps no element tree: text goes to the HTMLTextWriter, tags change its state.
// Comments, doctypes and processing instructions are skipped to their end; CDATA is text. Raw-text elements
// (`script`, `style`, …) are skipped to their own end tag, whatever they contain ("</div>" in a script is not a tag).
// Chrome (navigation, page headers and footers, asides other than docutils' footnotes and topics, Sphinx's sidebar,
// related bar, footer and "¶" header links, anything with role="navigation") is dropped by counting nested start and
// end tags of its name until it closes. `<header>` and `<footer>` inside `<article>` or `<main>` are content.
// Malformed markup degrades as browsers do: a stray `<` is text, an unclosed tag at the end of the file is dropped, an
// unclosed element simply stays open.

extension Chunker {
    struct HTMLReader {
        /// The text of the first `<title>`, entities decoded and whitespace collapsed.
        private(set) var titleText: String?
        private var writer = HTMLTextWriter()
        /// The element being dropped with everything inside it, and how many of its kind are open.
        private var skipped = HTMLTag.other
        private var skipDepth = 0
        /// Inside `<article>` or `<main>`, where `<header>` and `<footer>` belong to the content.
        private var contentDepth = 0

        /// The outline of an HTML page (valid UTF-8): its first `<h1>` titles it, else its `<title>`.
        static func outline(_ text: [UInt8]) -> Outline {
            var reader = HTMLReader()
            let elements = reader.read(text)
            let hasHeading = elements.contains(where: \.isTopLevelHeading)
            return Outline(title: hasHeading ? nil : reader.titleText, topLevelHeadingTitle: elements)
        }

        mutating func read(_ text: [UInt8]) -> [Element] {
            text.withUnsafeBufferPointer { bytes in
                var index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == 0x3C {
                        index = markup(bytes, at: index)
                    } else if skipDepth > 0 {
                        index = Self.find(0x3C, in: bytes, from: index + 1) ?? bytes.count
                    } else if byte == 0x26 {
                        let (scalar, next) = Self.characterReference(bytes, at: index)
                        if let scalar {
                            if scalar != 0 { writer.scalar(scalar) }
                        } else {
                            writer.literal(UnsafeBufferPointer(rebasing: bytes[index..<next]))
                        }
                        index = next
                    } else {
                        index = writer.text(bytes, from: index)
                    }
                }
            }
            writer.finish()
            return writer.elements
        }

        /// Reads the markup starting with the `<` at `start`; returns the index after it.
        private mutating func markup(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
            let count = bytes.count
            guard start + 1 < count else { return literalLessThan(bytes, at: start) }
            let next = bytes[start + 1]
            if next == UInt8(ascii: "!") {
                if Self.hasPrefix(bytes, at: start, "<!--") {
                    return Self.find("-->", in: bytes, from: start + 4).map { $0 + 3 } ?? count
                }
                if Self.hasPrefix(bytes, at: start, "<![CDATA[") {
                    let end = Self.find("]]>", in: bytes, from: start + 9) ?? count
                    if skipDepth == 0 { writer.literal(UnsafeBufferPointer(rebasing: bytes[(start + 9)..<end])) }
                    return min(end + 3, count)
                }
                return (Self.find(0x3E, in: bytes, from: start + 2) ?? count - 1) + 1
            }
            if next == UInt8(ascii: "?") { return (Self.find(0x3E, in: bytes, from: start + 2) ?? count - 1) + 1 }
            if next == UInt8(ascii: "/") {
                let nameEnd = Self.nameEnd(bytes, from: start + 2)
                let end = (Self.find(0x3E, in: bytes, from: start + 2) ?? count - 1) + 1
                if nameEnd > start + 2 {
                    close(HTMLTag.named(UnsafeBufferPointer(rebasing: bytes[(start + 2)..<nameEnd])))
                }
                return end
            }
            guard Self.isLetter(next) else { return literalLessThan(bytes, at: start) }
            let nameEnd = Self.nameEnd(bytes, from: start + 1)
            let tag = HTMLTag.named(UnsafeBufferPointer(rebasing: bytes[(start + 1)..<nameEnd]))
            guard let attributes = Self.attributes(bytes, from: nameEnd) else { return count }
            open(tag, attributes, bytes)
            var end = attributes.end
            if !attributes.selfClosing, tag.isRawText || tag == .title {
                let name = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<nameEnd])
                let closeTag = Self.endTag(named: name, in: bytes, from: end)
                if tag == .title, titleText == nil, skipDepth == 0 {
                    titleText = UTF8Text.headingText(Self.decoded(UnsafeBufferPointer(rebasing: bytes[end..<closeTag])))
                }
                end = closeTag < count ? (Self.find(0x3E, in: bytes, from: closeTag) ?? count - 1) + 1 : count
            }
            return end
        }

        private mutating func literalLessThan(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
            if skipDepth == 0 { writer.literal(UnsafeBufferPointer(rebasing: bytes[start..<(start + 1)])) }
            return start + 1
        }

        // MARK: Elements

        private mutating func open(_ tag: HTMLTag, _ attributes: Attributes, _ bytes: UnsafeBufferPointer<UInt8>) {
            let opensContent = !attributes.selfClosing && !tag.isVoid && !tag.isRawText
            if skipDepth > 0 {
                if tag == skipped, opensContent { skipDepth += 1 }
                return
            }
            if isChrome(tag, attributes, bytes) {
                if opensContent {
                    skipped = tag
                    skipDepth = 1
                }
                return
            }
            if let level = tag.headingLevel {
                writer.beginHeading(level: level)
                return
            }
            switch tag {
            case .ul, .ol: writer.openContainer(.list)
            case .table: writer.openContainer(.table)
            case .pre: writer.openContainer(.pre)
            case .li: writer.listItem()
            case .tr: writer.lineBreak()
            case .td, .th: writer.tableCell()
            case .br: writer.lineBreakElement()
            case .dt, .dd: writer.blockBreak()
            case .article, .main:
                contentDepth += 1
                writer.blockBreak()
            case .p:
                writer.blockBreak()
                if Self.hasClass(attributes, "admonition-title", bytes) { writer.keepWithNext() }
            default:
                if tag.isBlock { writer.blockBreak() }
            }
        }

        private mutating func close(_ tag: HTMLTag) {
            if skipDepth > 0 {
                if tag == skipped { skipDepth -= 1 }
                return
            }
            if tag.headingLevel != nil {
                writer.endHeading()
                return
            }
            switch tag {
            case .ul, .ol: writer.closeContainer(.list)
            case .table: writer.closeContainer(.table)
            case .pre: writer.closeContainer(.pre)
            case .li, .tr: writer.lineBreak()
            case .dt: writer.endTerm()
            case .dd: writer.blockBreak()
            case .article, .main:
                contentDepth = max(0, contentDepth - 1)
                writer.blockBreak()
            default:
                if tag.isBlock { writer.blockBreak() }
            }
        }

        /// Navigation and page furniture, not content.
        private func isChrome(_ tag: HTMLTag, _ attributes: Attributes, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            if tag.isDropped { return true }
            if let role = attributes.role, HTMLTag.matches(UnsafeBufferPointer(rebasing: bytes[role]), "navigation") {
                return true
            }
            switch tag {
            case .header, .footer: return contentDepth == 0
            case .aside:
                // Docutils writes footnotes and topics as <aside>: those are content.
                return !(Self.hasClass(attributes, "footnote", bytes)
                    || Self.hasClass(attributes, "footnote-list", bytes)
                    || Self.hasClass(attributes, "citation", bytes)
                    || Self.hasClass(attributes, "topic", bytes))
            case .div:
                return Self.hasClass(attributes, "sphinxsidebar", bytes) || Self.hasClass(attributes, "related", bytes)
                    || Self.hasClass(attributes, "footer", bytes)
            case .a: return Self.hasClass(attributes, "headerlink", bytes)
            default: return false
            }
        }
    }
}
