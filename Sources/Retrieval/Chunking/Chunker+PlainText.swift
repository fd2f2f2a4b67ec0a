// Plain text: no headings, paragraphs separated by blank lines; the title is a short first line standing alone.

extension Chunker {
    struct PlainTextReader {
        private let lines: Lines

        init(_ text: [UInt8]) {
            lines = Lines(text)
        }

        /// The first non-empty line is the title when it has at most 80 characters and a blank line follows it, and
        /// it is not reStructuredText markup (a `.. ` label, directive or comment, or a `:field:`), which a text file
        /// that is really reStructuredText starts with.
        /// A document that is nothing but that line keeps it as its text too.
        func read() -> (title: String?, elements: [Element]) {
            var line = lines.nextNonBlank(0)
            var title: String?
            if line + 1 < lines.count, lines.isBlank(line + 1) {
                let content = lines.content(line)
                let isMarkup = content.starts(with: "..".utf8) || RestructuredTextReader.isField(content)
                if !isMarkup, UTF8Text.scalarCount(content, content.indices) <= 80 {
                    title = UTF8Text.headingText(content)
                    if lines.nextNonBlank(line + 1) < lines.count { line += 1 }
                }
            }
            var elements: [Element] = []
            while line < lines.count {
                if lines.isBlank(line) {
                    line += 1
                    continue
                }
                let start = line
                var indented = true
                while line < lines.count, !lines.isBlank(line) {
                    if lines.indent(line) < 4 { indented = false }
                    line += 1
                }
                let first = lines.content(start)
                let kind: BlockKind = indented ? .code
                    : UTF8Text.startsWithListMarker(first) || first.starts(with: "• ".utf8) ? .list
                    : .prose
                if let block = Block(kind, lines.span(start, line)) { elements.append(.block(block)) }
            }
            return (title, elements)
        }
    }
}
