// Office Open XML (.docx): the zip opened with libzip, its XML read with libxml2 (ContainerReading.swift holds the
// limits and the reasons). Three parts: docProps/core.xml for the title (`dc:title`), word/styles.xml for what the
// paragraph styles mean (WordReader+Styles.swift), word/document.xml for the text (WordReader+Document.swift).
// Footnotes, comments, headers and footers are separate parts and are not read.
internal import XML

enum WordReader {
    /// The main part, the styles and the core properties.
    static let documentPart = "word/document.xml"
    static let stylesPart = "word/styles.xml"
    static let corePart = "docProps/core.xml"

    /// WordprocessingML's namespace, in its Transitional (what Word writes) and Strict forms.
    static let transitionalNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let strictNamespace = "http://purl.oclc.org/ooxml/wordprocessingml/main"

    static func isWordNamespace(_ namespace: String?) -> Bool {
        namespace == transitionalNamespace || namespace == strictNamespace
    }

    /// The outline of the .docx in `bytes`, whose parts may inflate to `budget` bytes together.
    static func read(_ bytes: [UInt8], budget: Int) throws(DocumentReadError) -> Outline {
        let container = try Container(bytes, budget: budget, kind: ".docx")
        // The main part first: an archive without it is not a .docx, whatever else it holds.
        let document = try container.part(documentPart, limit: Container.documentLimit)
        var title: String?
        if let core = try container.optionalPart(corePart, limit: Container.metadataLimit) {
            title = try DublinCoreTitle.read(core, part: corePart)
        }
        let stylesReader = StylesReader()
        if let styles = try container.optionalPart(stylesPart, limit: Container.stylesLimit) {
            try Container.parse(styles, part: stylesPart, handler: stylesReader)
        }
        let reader = DocumentReader(styles: stylesReader.styles)
        try Container.parse(document, part: documentPart, handler: reader)
        return reader.builder.finish(metadataTitle: title)
    }
}
