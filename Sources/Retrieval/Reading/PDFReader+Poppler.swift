// What poppler's tools print: pdftotext's XHTML (its title read by libxml2, its text as it is) and pdftohtml's outline
// (read by libxml2).
internal import XML

extension PDFReader {
    /// One entry of the PDF's outline (a bookmark): its depth (1 for the top level), the page it opens and its title.
    struct Bookmark: Sendable, Equatable {
        var level: Int
        var page: Int
        var title: String
    }

    /// pdftotext's `-htmlmeta` output read: the Title metadata and the text, pages ended by form feeds.
    ///
    /// The output is `<html><head><title>…</title><meta …/></head><body><pre>` + the text + `</pre></body></html>`.
    /// Poppler escapes the head's values but writes the text into `<pre>` as it is (a `<` stays a `<`, a form feed a
    /// form feed: neither survives an HTML parser). So the head, up to `<pre>`, is read by libxml2, and the text is
    /// taken as it stands between `<pre>` and the last `</pre>`, the way pdftotext without `-htmlmeta` would print it.
    struct PopplerText {
        /// The `<title>`, whitespace collapsed; nil when the PDF has no Title.
        var title: String?
        /// The text (UTF-8), a slice of pdftotext's output.
        var text: ArraySlice<UInt8>

        init(xhtml: [UInt8]) {
            let open = Array("<pre>".utf8)
            let close = Array("</pre>".utf8)
            guard let pre = Self.firstIndex(of: open, in: xhtml) else {
                title = nil
                text = []
                return
            }
            let handler = Handler()
            XMLParser.parseHTML(Array(xhtml[..<pre]), handler: handler)
            title = handler.title.map { Chunker.UTF8Text.headingText($0) }
            var start = pre + open.count
            if start < xhtml.count, xhtml[start] == Chunker.UTF8Text.newline { start += 1 }
            let end = Self.lastIndex(of: close, in: xhtml, from: start) ?? xhtml.count
            text = xhtml[start..<end]
        }

        private static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
            guard bytes.count >= needle.count else { return nil }
            return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
        }

        private static func lastIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
            guard bytes.count - needle.count >= start else { return nil }
            return (start...(bytes.count - needle.count)).reversed().first {
                bytes[$0..<$0 + needle.count].elementsEqual(needle)
            }
        }

        /// Reads the head's `<title>`.
        private final class Handler: XMLContentHandler {
            var title: [UInt8]?
            private var inTitle = false

            func startElement(_ tag: XMLStartTag) {
                if tag.name.localName == "title" {
                    inTitle = true
                    if title == nil { title = [] }
                }
            }

            func endElement(_ name: XMLName) {
                if name.localName == "title" { inTitle = false }
            }

            func characters(_ characters: XMLText) {
                if inTitle { characters.append(to: &title!) }
            }
        }
    }

    /// pdftohtml's `-xml` output read for its `<outline>`: nested outlines give the levels.
    enum PopplerOutline {
        /// The bookmarks in document order. Read as XML; output that is not well formed (pdftohtml has written
        /// stray control characters) is read again as HTML, which repairs it.
        static func bookmarks(xml: [UInt8]) -> [Bookmark] {
            let handler = Handler()
            do {
                try XMLParser.parseXML(xml, handler: handler)
            } catch {
                let repaired = Handler()
                XMLParser.parseHTML(xml, handler: repaired)
                return repaired.bookmarks
            }
            return handler.bookmarks
        }

        private final class Handler: XMLContentHandler {
            var bookmarks: [Bookmark] = []
            private var depth = 0
            /// The item being read: its page (nil when it points nowhere in the file) and its text so far.
            private var item: (page: Int?, text: [UInt8])?

            func startElement(_ tag: XMLStartTag) {
                switch tag.name.localName {
                case "outline": depth += 1
                case "item" where depth > 0: item = (tag.attribute("page").flatMap { Int($0) }, [])
                default: break
                }
            }

            func endElement(_ name: XMLName) {
                switch name.localName {
                case "outline": depth = max(depth - 1, 0)
                case "item":
                    if let item, let page = item.page {
                        let title = Chunker.UTF8Text.headingText(item.text)
                        if !title.isEmpty { bookmarks.append(Bookmark(level: depth, page: page, title: title)) }
                    }
                    item = nil
                default: break
                }
            }

            func characters(_ characters: XMLText) {
                if item != nil { characters.append(to: &item!.text) }
            }
        }
    }
}
