// Markdown through cmark-gfm's own syntax tree, the parser the renderer uses (the Markdown module), kept as Markdown.
//
// cmark-gfm parses the document exactly as it does to render it and names its top-level blocks with the source lines
// each spans (`Markdown.sourceBlocks`). A heading becomes a heading with cmark's reading of its text; every other
// block becomes a block whose text is the document's own lines, so a chunk reads as the author wrote it, and the
// chunker can never disagree with the renderer about where a fence, a list or a heading is. What cmark cannot know
// is settled here: YAML front matter is cut off before parsing (cmark would read it as a rule and a heading), thematic
// breaks and HTML comments are not text, and a "setext heading" longer than a heading can be is the paragraph above
// a rule.

internal import Markdown

extension Chunker {
    enum MarkdownReader {
        /// Past this many bytes of source, the paragraph above a `---` or `===` line is a paragraph and a rule.
        static let longestSetextHeading = 300

        /// The outline of a Markdown document (valid UTF-8, newlines normalised): its first level-1 heading titles it.
        static func outline(_ text: [UInt8]) -> Outline {
            let lines = Lines(text)
            let first = frontMatterEnd(lines)
            let source = first < lines.count ? text[lines.start(of: first)...] : []
            var elements: [Element] = []
            for block in Markdown.sourceBlocks(utf8: source) {
                // cmark counts lines from 1.
                let start = min(first + block.lines.lowerBound - 1, lines.count)
                let end = min(first + block.lines.upperBound, lines.count)
                let kind: BlockKind
                var isFenced = false
                switch block.kind {
                case .heading(let level):
                    var underline = end - 1
                    while underline > start, lines.isBlank(underline) { underline -= 1 }
                    if underline > start, lines.span(start, underline).count > longestSetextHeading {
                        // The paragraph; its underline is a rule, dropped.
                        if let paragraph = Block(.prose, lines.span(start, underline)) {
                            elements.append(.block(paragraph))
                        }
                        continue
                    }
                    let title = UTF8Text.headingText(block.text.utf8)
                    if !title.isEmpty { elements.append(.heading(level: level, text: title)) }
                    continue
                case .thematicBreak:
                    continue
                case .html where isComment(lines.span(start, end)):
                    continue
                case .list:
                    kind = .list
                case .codeBlock(let fenced):
                    kind = .code
                    isFenced = fenced
                case .table:
                    kind = .table
                case .paragraph, .blockQuote, .html, .other:
                    kind = .prose
                }
                if let made = Block(kind, lines.span(start, end), isFenced: isFenced) { elements.append(.block(made)) }
            }
            return Outline(topLevelHeadingTitle: elements)
        }

        /// The first line after a YAML front matter block (`---`, a line with a key, … `---` or `...`), or 0.
        static func frontMatterEnd(_ lines: Lines) -> Int {
            guard lines.count > 2, lines[0].elementsEqual("---".utf8), lines[1].contains(UInt8(ascii: ":")) else {
                return 0
            }
            for line in 1..<lines.count {
                let content = lines[line]
                if content.elementsEqual("---".utf8) || content.elementsEqual("...".utf8) { return line + 1 }
            }
            return 0
        }

        /// An HTML block that is nothing but a comment (`<!-- … -->`): a note to the author, not text.
        private static func isComment(_ bytes: ArraySlice<UInt8>) -> Bool {
            let text = bytes[UTF8Text.trimmed(bytes, bytes.indices)]
            return text.starts(with: "<!--".utf8) && text.reversed().starts(with: ">--".utf8)
        }
    }
}
