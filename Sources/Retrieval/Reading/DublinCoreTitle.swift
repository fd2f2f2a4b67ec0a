// The title a container's metadata gives: Dublin Core's `title`, as Office Open XML (docProps/core.xml), OpenDocument
// (meta.xml) and EPUB (the OPF) all write it.
internal import XML

/// Reads the text of the first Dublin Core `title` element that holds any, and stops there.
final class DublinCoreTitle: XMLContentHandler {
    /// Dublin Core's element namespace.
    static let namespace = "http://purl.org/dc/elements/1.1/"

    /// The title, whitespace collapsed; nil when the document has none or only an empty one.
    private(set) var title: String?
    /// How deep inside a `dc:title` the parser is (0: outside).
    private var depth = 0
    private var text: [UInt8] = []

    var stopRequested: Bool { title != nil }

    func startElement(_ tag: XMLStartTag) {
        if depth > 0 {
            depth += 1
        } else if tag.name.localName == "title", tag.name.namespace == Self.namespace {
            depth = 1
            text.removeAll(keepingCapacity: true)
        }
    }

    func endElement(_ name: XMLName) {
        guard depth > 0 else { return }
        depth -= 1
        if depth == 0 {
            let title = Chunker.UTF8Text.headingText(text)
            if !title.isEmpty { self.title = title }
        }
    }

    func characters(_ text: XMLText) {
        if depth > 0 { text.append(to: &self.text) }
    }

    /// The title in `bytes` (core.xml, meta.xml), or nil. Refuses XML that declares entities, like every part.
    static func read(_ bytes: [UInt8], part: String) throws(DocumentReadError) -> String? {
        let reader = DublinCoreTitle()
        try Container.parse(bytes, part: part, handler: reader)
        return reader.title
    }
}
