extension Markdown {
    /// The HTML of each top-level block of `markdown`, in order (each with cmark's trailing newline); joined they
    /// equal `Markdown.html(markdown)` exactly.
    ///
    /// Parses once (`cmark_parser_finish`) and renders each top-level node with `cmark_render_html`. A link
    /// reference definition produces no block; an omitted raw HTML block is the block `<!-- raw HTML omitted -->\n`.
    /// Tables, images and citations as in `html(_:limits:citations:)`.
    public static func blocks(_ markdown: String, limits: Limits = .standard, citations: Citations? = nil) -> [String] {
        CMark.parse(markdown, limits: limits, citations: citations).blocks()
    }
}

/// The shape of the HTML cmark-gfm writes, read as UTF-8 bytes: just enough of an HTML tokenizer for `BlockDiff`.
///
/// It relies on what cmark guarantees and does not parse general HTML: text and attribute values are escaped
/// (`<`, `>`, `&`, `"`), so every `<` starts a tag or a comment, and every `>` ends one; tags are lower case and
/// properly nested; the only comment is `<!-- raw HTML omitted -->`. Everything here is linear in its input.
enum BlockHTML {
    /// One lexical piece of HTML.
    enum Token: Equatable {
        /// Text up to the next `<`.
        case text
        /// `<name …>`; `empty` for a void element or `/>`, which have no end tag.
        case start(name: [UInt8], empty: Bool)
        /// `</name>`.
        case end(name: [UInt8])
        /// `<!-- … -->`.
        case comment
        /// A `<` that starts none of the above (cmark never writes one).
        case other
    }

    /// Elements that never have an end tag (the HTML "void elements").
    static let voidElements: Set<[UInt8]> = Set(
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source",
         "track", "wbr"].map { Array($0.utf8) }
    )

    /// Whether `html` is one element (`<` then a letter), as opposed to a comment or text: the blocks a change
    /// can target, because the page finds them as the container's last element child.
    static func isElement(_ html: String) -> Bool {
        var bytes = html.utf8.makeIterator()
        return bytes.next() == UInt8(ascii: "<") && bytes.next().map(isLetter) == true
    }

    /// The end tags that close `bytes`, with only whitespace between and after them, as the offset of each `<`,
    /// outermost first: index d is the end tag of the element open `d` levels down at the end of the block.
    /// Empty when the last thing in the block is text or a void element.
    static func closingRun(_ bytes: [UInt8]) -> [Int] {
        var run: [Int] = []
        var end = bytes.count
        while true {
            while end > 0, isSpace(bytes[end - 1]) { end -= 1 }
            guard end > 0, bytes[end - 1] == UInt8(ascii: ">") else { break }
            // A `</name>` holds only name characters between `</` and `>`.
            var start = end - 1
            while start > 0, isNameCharacter(bytes[start - 1]) { start -= 1 }
            guard start >= 2, start < end - 1, bytes[start - 1] == UInt8(ascii: "/"),
                bytes[start - 2] == UInt8(ascii: "<")
            else { break }
            run.append(start - 2)
            end = start - 2
        }
        return run
    }

    /// The lower-case name of the tag starting at `offset` (`<name` or `</name`).
    static func tagName(_ bytes: [UInt8], at offset: Int) -> [UInt8] {
        var start = offset + 1
        if start < bytes.count, bytes[start] == UInt8(ascii: "/") { start += 1 }
        var end = start
        while end < bytes.count, isNameCharacter(bytes[end]) { end += 1 }
        return bytes[start..<end].map(lowercased)
    }

    /// Whether `bytes` can be parsed on its own inside an element and leave it as it found it: every end tag
    /// closes a start tag earlier in `bytes`, and nothing is left open at the end.
    static func isBalanced(_ bytes: ArraySlice<UInt8>) -> Bool {
        balancedEnd(of: bytes, from: bytes.startIndex) == bytes.endIndex
    }

    /// The elements open at the end of a block, outermost (the block's own element) first: where each one's content
    /// starts (just after its start tag) and where its end tag in the closing run begins. Empty when the block does
    /// not end with such a run, or its start tags cannot be matched to it.
    static func openChain(_ bytes: [UInt8]) -> [(contentStart: Int, endTag: Int)] {
        let run = closingRun(bytes)
        guard let inner = run.last else { return [] }
        var open: [(name: [UInt8], contentStart: Int)] = []
        var index = 0
        while index < inner {
            let (token, next) = token(in: bytes[..<inner], at: index)
            switch token {
            case .start(let name, empty: false): open.append((name, next))
            case .end(let name):
                guard open.popLast()?.name == name else { return [] }
            case .text, .comment, .start(_, empty: true): break
            case .other: return []
            }
            index = next
        }
        guard open.count == run.count,
              zip(open, run).allSatisfy({ $0.name == tagName(bytes, at: $1) })
        else { return [] }
        return zip(open, run).map { ($0.contentStart, $1) }
    }

    /// Where the balanced HTML that starts at `start` ends: at the first end tag that closes nothing opened since
    /// `start`, or at the end of `bytes`. Nil if an end tag closes the wrong element, something is still open
    /// there, or a `<` starts nothing cmark writes. Comments, void elements and `/>` need no end tag.
    static func balancedEnd(of bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var open: [[UInt8]] = []
        var index = start
        while index < bytes.endIndex {
            let (token, next) = self.token(in: bytes, at: index)
            switch token {
            case .text, .comment, .start(_, empty: true):
                break
            case .start(let name, empty: false):
                open.append(name)
            case .end(let name):
                if open.isEmpty { return index }
                guard open.popLast() == name else { return nil }
            case .other:
                return nil
            }
            index = next
        }
        return open.isEmpty ? index : nil
    }

    /// Splits the HTML of whole blocks back into blocks: a block ends where a tag or comment leaves nothing open,
    /// and takes the whitespace after it (cmark's newline). For cmark's output this is exactly `Markdown.blocks`.
    static func split(_ html: String) -> [String] {
        let bytes = Array(html.utf8)
        var blocks: [String] = []
        var blockStart = 0
        var depth = 0
        var index = 0
        while index < bytes.count {
            let (token, next) = token(in: bytes[...], at: index)
            index = next
            switch token {
            case .text, .other:
                continue
            case .start(_, empty: false):
                depth += 1
                continue
            case .end:
                depth = max(depth - 1, 0)
            case .start(_, empty: true), .comment:
                break
            }
            guard depth == 0 else { continue }
            var end = index
            while end < bytes.count, isSpace(bytes[end]) { end += 1 }
            if end == bytes.count || bytes[end] == UInt8(ascii: "<") {
                blocks.append(String(decoding: bytes[blockStart..<end], as: UTF8.self))
                blockStart = end
                index = end
            }
        }
        if blockStart < bytes.count {
            blocks.append(String(decoding: bytes[blockStart...], as: UTF8.self))
        }
        return blocks
    }

    /// The token starting at `index` and the offset just after it.
    static func token(in bytes: ArraySlice<UInt8>, at index: Int) -> (Token, next: Int) {
        let end = bytes.endIndex
        guard bytes[index] == UInt8(ascii: "<") else {
            return (.text, bytes[index...].firstIndex(of: UInt8(ascii: "<")) ?? end)
        }
        let rest = bytes[(index + 1)...]
        if rest.starts(with: "!--".utf8) {
            // The comment ends at the first `-->` after `<!--`.
            var scan = index + 4
            while scan + 3 <= end {
                if bytes[scan..<scan + 3].elementsEqual("-->".utf8) { return (.comment, scan + 3) }
                scan += 1
            }
            return (.other, end)
        }
        let closing = rest.first == UInt8(ascii: "/")
        let nameStart = index + (closing ? 2 : 1)
        guard nameStart < end, isLetter(bytes[nameStart]) else { return (.other, index + 1) }
        var nameEnd = nameStart
        while nameEnd < end, isNameCharacter(bytes[nameEnd]) { nameEnd += 1 }
        let name = bytes[nameStart..<nameEnd].map(lowercased)
        // To the `>` that ends the tag, stepping over quoted attribute values.
        var scan = nameEnd
        var quote: UInt8?
        while scan < end {
            let byte = bytes[scan]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                break
            }
            scan += 1
        }
        guard scan < end else { return (.other, end) }
        if closing { return (.end(name: name), scan + 1) }
        let selfClosing = scan > nameEnd && bytes[scan - 1] == UInt8(ascii: "/")
        return (.start(name: name, empty: selfClosing || voidElements.contains(name)), scan + 1)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\r")
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        isLetter(byte) ? byte | 0x20 : byte
    }
}
