// What a .docx's paragraph styles mean to the outline, from word/styles.xml.
//
// Style ids are written in the author's language ("Heading1", German Word's "berschrift1"), but a built-in style's
// name is always English ("heading 1"), and a heading style carries its level as `w:outlineLvl` (0 is level 1,
// 9 body text). So a style is a heading by its outline level, inherited along `w:basedOn`, or else by its name;
// Title, list, code and table-of-contents styles are known by their own names (not inherited: Subtitle is based on
// Title).
internal import XML

extension WordReader {
    /// What a paragraph style makes of its paragraphs.
    struct StyleRole: Equatable {
        /// The heading level (1 outermost), or nil for body text.
        var headingLevel: Int?
        var isTitle = false
        /// A list style (List Bullet, List Paragraph…) or one that numbers its paragraphs.
        var isList = false
        /// Source code, preformatted text.
        var isCode = false
        /// An entry of a table of contents (TOC 1…9, TOC Heading): the document's headings again, not content.
        var isContents = false
        /// A definition list's term, kept with its definition.
        var isTerm = false
    }

    /// The paragraph styles of a document, by id.
    struct Styles {
        struct Style {
            var name = ""
            var basedOn: String?
            /// `w:outlineLvl` of the style itself.
            var outlineLevel: Int?
            var numbered = false
        }

        var styles: [String: Style] = [:]
        /// The style of paragraphs that name none (`w:default="1"`).
        var defaultStyle: String?
        private var roles: [String: StyleRole] = [:]

        /// The role of style `id` (nil: the default style), resolved once and remembered.
        mutating func role(_ id: String?) -> StyleRole {
            guard let id = id ?? defaultStyle else { return StyleRole() }
            if let role = roles[id] { return role }
            let role = resolve(id)
            roles[id] = role
            return role
        }

        private func resolve(_ id: String) -> StyleRole {
            guard let style = styles[id] else { return StyleRole() }
            var role = StyleRole()
            let name = style.name.lowercased()
            // Outline level and numbering along the basedOn chain (bounded: a cycle is a damaged file, not a hang).
            var outlineLevel: Int?
            var numbered = false
            var next: String? = id
            for _ in 0..<16 {
                guard let current = next, let ancestor = styles[current] else { break }
                if outlineLevel == nil { outlineLevel = ancestor.outlineLevel }
                numbered = numbered || ancestor.numbered
                next = ancestor.basedOn
            }
            if let outlineLevel {
                role.headingLevel = outlineLevel < 9 ? outlineLevel + 1 : nil
            } else if name.hasPrefix("heading "), let level = Int(name.dropFirst(8)), (1...9).contains(level) {
                role.headingLevel = level
            }
            role.isTitle = name == "title"
            role.isList = numbered || name.hasPrefix("list")
            role.isCode = name.contains("code") || name.contains("preformatted") || name.contains("verbatim")
            role.isContents = name.hasPrefix("toc ")
            role.isTerm = name == "definition term"
            if role.isContents || role.isTitle { role.headingLevel = nil }
            return role
        }
    }

    /// Reads the paragraph styles of word/styles.xml.
    final class StylesReader: XMLContentHandler {
        private(set) var styles = Styles()
        private var current: (id: String, style: Styles.Style)?
        /// Inside the current style's `w:pPr`.
        private var inProperties = false

        func startElement(_ tag: XMLStartTag) {
            guard WordReader.isWordNamespace(tag.name.namespace) else { return }
            switch tag.name.localName {
            case "style":
                current = nil
                guard tag.attribute("type") == "paragraph", let id = tag.attribute("styleId") else { return }
                current = (id, Styles.Style())
                if tag.attribute("default") == "1" || tag.attribute("default") == "true" { styles.defaultStyle = id }
            case "name": current?.style.name = tag.attribute("val") ?? ""
            case "basedOn": current?.style.basedOn = tag.attribute("val")
            case "pPr": inProperties = current != nil
            case "outlineLvl" where inProperties: current?.style.outlineLevel = tag.attribute("val").flatMap { Int($0) }
            case "numId" where inProperties: current?.style.numbered = tag.attribute("val") != "0"
            default: break
            }
        }

        func endElement(_ name: XMLName) {
            switch name.localName {
            case "pPr": inProperties = false
            case "style":
                if let current { styles.styles[current.id] = current.style }
                current = nil
            default: break
            }
        }

        func characters(_ text: XMLText) {}
    }
}
