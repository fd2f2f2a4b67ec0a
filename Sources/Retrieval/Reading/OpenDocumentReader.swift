// OpenDocument text (.odt): the zip opened with libzip, its XML read with libxml2 (ContainerReading.swift holds the
// limits and the reasons). The `mimetype` entry says which kind of OpenDocument the archive is; META-INF/manifest.xml
// says whether its parts are encrypted (a password-protected file encrypts content.xml inside an ordinary zip);
// meta.xml gives the title (`dc:title`); content.xml the text (OpenDocumentReader+Content.swift).
internal import XML

enum OpenDocumentReader {
    static let contentPart = "content.xml"
    static let metaPart = "meta.xml"
    static let manifestPart = "META-INF/manifest.xml"
    static let mimetypePart = "mimetype"
    /// The media type of a text document; templates and master documents extend it (`…text-template`).
    static let textMediaType = "application/vnd.oasis.opendocument.text"

    /// The outline of the .odt in `bytes`, whose parts may inflate to `budget` bytes together.
    static func read(_ bytes: [UInt8], budget: Int) throws(DocumentReadError) -> Outline {
        let container = try Container(bytes, budget: budget, kind: ".odt")
        if let mimetype = try container.optionalPart(mimetypePart, limit: 256) {
            let mediaType = Chunker.UTF8Text.headingText(mimetype)
            guard mediaType.hasPrefix(textMediaType) else {
                throw .damaged("its mimetype is \(mediaType.isEmpty ? "empty" : mediaType), not OpenDocument text "
                    + "(\(textMediaType)): misnamed?")
            }
        }
        if let manifest = try container.optionalPart(manifestPart, limit: Container.metadataLimit) {
            let reader = ManifestReader()
            try Container.parse(manifest, part: manifestPart, handler: reader)
            if reader.encrypted.contains(contentPart) { throw .encrypted }
        }
        let content = try container.part(contentPart, limit: Container.documentLimit)
        var title: String?
        if let meta = try container.optionalPart(metaPart, limit: Container.metadataLimit) {
            title = try DublinCoreTitle.read(meta, part: metaPart)
        }
        let reader = ContentReader()
        try Container.parse(content, part: contentPart, handler: reader)
        return reader.builder.finish(metadataTitle: title)
    }

    /// The parts META-INF/manifest.xml lists with `manifest:encryption-data`: encrypted with the document's password.
    final class ManifestReader: XMLContentHandler {
        static let namespace = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
        private(set) var encrypted: Set<String> = []
        private var entry: String?

        func startElement(_ tag: XMLStartTag) {
            guard tag.name.namespace == Self.namespace else { return }
            switch tag.name.localName {
            case "file-entry": entry = tag.attribute("full-path")
            case "encryption-data": if let entry { encrypted.insert(entry) }
            default: break
            }
        }

        func endElement(_ name: XMLName) {
            if name.localName == "file-entry", name.namespace == Self.namespace { entry = nil }
        }

        func characters(_ text: XMLText) {}
    }
}
