// EPUB: the zip opened with libzip, its package read with libxml2 (EPUBReader+Package.swift), its chapters read as
// HTML by the project's HTML reader, in spine order, one after another.
//
// The book's title is the package's `dc:title`; each chapter's own title heading stays a heading, so a chapter's
// passages sit under its title in the book's outline. Which spine items are read:
// - XHTML (and HTML) items only: an SVG page or an image has no text for the HTML reader;
// - `linear="no"` items too (notes, answers, pop-ups: text people ask about), in their spine position;
// - not the navigation document (`properties="nav"`): it is the table of contents again;
// - not a page without prose, lists, code or tables (a cover image, a title page, a part's divider), which only a
//   heading would come of;
// - a file listed twice is read once.
// A chapter encrypted by DRM (META-INF/encryption.xml) makes the book `.encrypted`.

enum EPUBReader {
    static let containerPart = "META-INF/container.xml"
    static let encryptionPart = "META-INF/encryption.xml"
    static let chapterTypes: Set<String> = ["application/xhtml+xml", "text/html"]

    /// The outline of the .epub in `bytes`, whose parts may inflate to `budget` bytes together.
    static func read(_ bytes: [UInt8], budget: Int) throws(DocumentReadError) -> Outline {
        let container = try Container(bytes, budget: budget, kind: ".epub")
        let rootfile = ContainerReader()
        try container.parsePart(containerPart, limit: Container.metadataLimit, handler: rootfile)
        guard let packagePath = rootfile.rootfile else {
            throw .damaged("\(containerPart) names no package document (rootfile)")
        }
        let encryption = EncryptionReader()
        if let part = try container.optionalPart(encryptionPart, limit: Container.metadataLimit) {
            try Container.parse(part, part: encryptionPart, handler: encryption)
        }
        let package = PackageReader()
        try container.parsePart(packagePath, limit: Container.stylesLimit, handler: package)
        let folder = packagePath.split(separator: "/").dropLast().joined(separator: "/")

        var elements: [Chunker.Element] = []
        var read: Set<String> = []
        for id in package.spine {
            guard let item = package.items[id], chapterTypes.contains(item.mediaType),
                  !item.properties.contains("nav") else { continue }
            var path = resolve(item.href, from: folder)
            // Some books name their files with the escapes their hrefs should have decoded.
            if !container.contains(path), container.contains(resolve(item.href, from: folder, decoding: false)) {
                path = resolve(item.href, from: folder, decoding: false)
            }
            guard read.insert(path).inserted else { continue }
            if encryption.encrypted.contains(path) { throw .encrypted }
            let chapter = try container.part(path, limit: Container.documentLimit)
            let outline = Chunker.HTMLReader.outline(Chunker.normalizedText(chapter))
            guard outline.elements.contains(where: { !$0.isHeading }) else { continue }
            elements += outline.elements
        }
        return Outline(title: package.title.title, elements: elements, titleIndex: nil)
    }
}
