// The HTML elements the HTML reader acts on, and what each one does to the text: libxml2 reports names lower-cased,
// and every other element is inline (its text flows into the line around it).

extension Chunker {
    enum HTMLElement {
        case inline
        /// Ends the line and the paragraph around it.
        case block
        /// Dropped with everything inside it: navigation, scripts, embedded media, form controls.
        case dropped
        case heading(Int)
        case list, listItem, table, row, cell, pre, lineBreak, term, definition, paragraph
        /// `<article>` and `<main>`: inside them `<header>` and `<footer>` are content.
        case content
        case header, footer, aside, division, anchor, title

        /// The element named `name` (lower case, as libxml2 reports HTML names). A switch rather than a dictionary:
        /// names are small strings, compared in a word or two, where hashing each would cost more.
        static func named(_ name: String) -> HTMLElement {
            switch name {
            case "a": .anchor
            case "p": .paragraph
            case "span", "code", "em", "strong", "b", "i", "tt", "kbd", "var", "cite", "abbr", "small", "sup", "sub":
                .inline
            case "div": .division
            case "li": .listItem
            case "ul", "ol": .list
            case "dt": .term
            case "dd": .definition
            case "pre": .pre
            case "td", "th": .cell
            case "tr": .row
            case "table": .table
            case "br": .lineBreak
            case "h1": .heading(1)
            case "h2": .heading(2)
            case "h3": .heading(3)
            case "h4": .heading(4)
            case "h5": .heading(5)
            case "h6": .heading(6)
            case "section", "blockquote", "figure", "figcaption", "form", "fieldset", "address", "details", "summary",
                 "center", "body", "html", "hr", "caption", "dl", "head":
                .block
            case "article", "main": .content
            case "header": .header
            case "footer": .footer
            case "aside": .aside
            case "title": .title
            // The contents of `script` and `style` never reach the reader (libxml2 keeps them from the text); the
            // other raw-text elements' contents are not text a reader sees either.
            case "nav", "svg", "template", "select", "button", "object", "canvas", "video", "audio", "math", "script",
                 "style", "noscript", "textarea", "iframe", "noembed", "noframes", "xmp":
                .dropped
            default: .inline
            }
        }

        /// The heading level of `h1`…`h6`.
        var headingLevel: Int? {
            if case .heading(let level) = self { return level }
            return nil
        }
    }
}
