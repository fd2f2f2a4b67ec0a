// Code blocks as the page shows them: cmark-gfm's `<pre><code class="language-x">…</code></pre>` with a Copy button
// before the code and, for a language `Grammars` knows, the code's tokens in spans (`Highlighter`).
//
// This reads cmark's HTML, not its tree: cmark escapes every `<` of text and omits raw HTML, so `<pre><code` is
// only ever a code block it wrote, and its content is the code escaped four ways (`&`, `<`, `>`, `"`), which is
// undone exactly. A block's first `highlightedBytes` are highlighted, line by line, and the lines after are plain:
// which lines are highlighted depends only on the lines before, so a growing block never changes what it showed.
extension Markdown {
    enum CodeBlocks {
        /// The most bytes of one block's code that are highlighted; the lines past it are shown plain (and a
        /// release build highlights this many in about 1.4 ms: tools/bench/render).
        static let highlightedBytes = 32 * 1024

        /// The button every code block starts with; the page copies the code after it (`Resources/quarry.js`),
        /// and the stylesheet gives it its words, so the code's text stays the code's.
        static let copyButton = "<button type=\"button\" class=\"copy\" \(Markdown.copyAttribute)=\"\"></button>"

        private static let preCode = Array("<pre><code".utf8)
        private static let languagePrefix = Array(" class=\"language-".utf8)
        private static let codeEnd = Array("</code></pre>".utf8)

        /// `html` from cmark-gfm with every code block given its Copy button and, where its language is known, its
        /// highlighting.
        static func render(_ html: String) -> String {
            var html = html
            return html.withUTF8 { bytes in
                guard let first = find(preCode, in: bytes, from: 0) else { return nil }
                var out: [UInt8] = []
                out.reserveCapacity(bytes.count + bytes.count / 2)
                var copied = 0
                var next: Int? = first
                while let start = next {
                    // `<pre>`, the button, then `<code…>` as cmark wrote it.
                    out += bytes[copied..<(start + 5)]
                    out += copyButton.utf8
                    guard let tagEnd = bytes[start...].firstIndex(of: UInt8(ascii: ">")).flatMap({
                        bytes[($0 + 1)...].firstIndex(of: UInt8(ascii: ">"))
                    }), let end = find(codeEnd, in: bytes, from: tagEnd) else {
                        copied = start + 5
                        break
                    }
                    out += bytes[(start + 5)...tagEnd]
                    let content = UnsafeBufferPointer(rebasing: bytes[(tagEnd + 1)..<end])
                    if let grammar = language(of: bytes[(start + preCode.count)..<tagEnd]).flatMap(Grammars.grammar) {
                        highlight(unescaped(content), grammar, into: &out)
                    } else {
                        out += content
                    }
                    copied = end
                    next = find(preCode, in: bytes, from: end)
                }
                out += bytes[copied...]
                return String(decoding: out, as: UTF8.self)
            } ?? html
        }

        /// The HTML of `code` in `grammar`: each line highlighted from the state the lines above left, until the
        /// block's budget is spent; the lines after it plain.
        static func highlight(_ code: [UInt8], _ grammar: Grammar, into out: inout [UInt8]) {
            var highlighter = Highlighter(grammar)
            var start = 0
            while start < code.count {
                let end = code[start...].firstIndex(of: UInt8(ascii: "\n")) ?? code.count
                if end > highlightedBytes {
                    Line.escape(code[start...], into: &out)
                    return
                }
                highlighter.line(code, start, end, into: &out)
                if end < code.count { out.append(UInt8(ascii: "\n")) }
                start = end + 1
            }
        }

        /// The `x` of ` class="language-x"` in a `<code` tag's attributes, nil without one.
        static func language(of attributes: UnsafeBufferPointer<UInt8>.SubSequence) -> String? {
            guard attributes.starts(with: languagePrefix) else { return nil }
            let name = attributes.dropFirst(languagePrefix.count).prefix { $0 != UInt8(ascii: "\"") }
            return String(decoding: unescaped(UnsafeBufferPointer(rebasing: name)), as: UTF8.self)
        }

        /// Text as it was before cmark escaped it: `&amp;`, `&lt;`, `&gt;` and `&quot;` undone.
        static func unescaped(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "&") else {
                    out.append(byte)
                    index += 1
                    continue
                }
                let rest = bytes[index...]
                let entities: [(String, UInt8)] = [("&amp;", 0x26), ("&lt;", 0x3C), ("&gt;", 0x3E), ("&quot;", 0x22)]
                if let (entity, character) = entities.first(where: { rest.starts(with: $0.0.utf8) }) {
                    out.append(character)
                    index += entity.utf8.count
                } else {
                    out.append(byte)
                    index += 1
                }
            }
            return out
        }

        /// The offset of the first `needle` in `bytes` at or after `from`.
        static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
            guard needle.count <= bytes.count else { return nil }
            var index = from
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
                index += 1
            }
            return nil
        }
    }
}
