// The highlighter's two languages that are not a run of words and delimiters: HTML/XML (tags, attributes and
// entities between the delimited comments and declarations) and CSS (selectors outside braces, properties and
// values inside). Their state at a line's end is `LexerState.inTag` and `LexerState.depth`.
extension Markdown.Highlighter {
    /// CSS outside words and numbers: braces (the depth), `@media`, `!important`, and `#id`, `.class` in a
    /// selector or `#fff` in a value.
    mutating func cssPunctuation(at i: Int, _ line: inout Markdown.Line, into out: inout [UInt8]) -> Int {
        let bytes = line.bytes, byte = bytes[i]
        switch byte {
        case UInt8(ascii: "{"): state.depth += 1
        case UInt8(ascii: "}"): state.depth = max(state.depth - 1, 0)
        case UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "."):
            guard i + 1 < line.end, isWordStart(at: i + 1, line) || isDigit(bytes[i + 1]) else { break }
            let stop = wordEnd(from: i + 1, line)
            let selector = state.depth == 0 || line.beforeBrace(i)
            if byte == UInt8(ascii: "."), !selector { break }
            let style: Markdown.Style = byte == UInt8(ascii: "@") || byte == UInt8(ascii: "!") ? .keyword
                : selector ? .tag : .number
            line.styled(style, i, stop, into: &out)
            return stop
        default: break
        }
        return i + 1
    }

    /// Text between tags: a tag's start (`<name`, `</name`) and entities (`&amp;`).
    mutating func markupText(at i: Int, _ line: inout Markdown.Line, into out: inout [UInt8]) -> Int {
        let bytes = line.bytes, byte = bytes[i]
        if byte == UInt8(ascii: "<") {
            let nameStart = i + 1 < line.end && bytes[i + 1] == UInt8(ascii: "/") ? i + 2 : i + 1
            guard nameStart < line.end, isLetter(bytes[nameStart]) else { return i + 1 }
            var stop = nameStart
            while stop < line.end, isWordByte(bytes[stop]) || bytes[stop] == UInt8(ascii: ":")
                    || bytes[stop] == UInt8(ascii: "-") || bytes[stop] == UInt8(ascii: ".") { stop += 1 }
            line.styled(.tag, i, stop, into: &out)
            state.inTag = true
            return stop
        }
        if byte == UInt8(ascii: "&") {
            var stop = i + 1
            while stop < line.end, stop - i < 32, isWordByte(bytes[stop]) || bytes[stop] == UInt8(ascii: "#") { stop += 1 }
            if stop < line.end, stop > i + 1, bytes[stop] == UInt8(ascii: ";") {
                line.styled(.literal, i, stop + 1, into: &out)
                return stop + 1
            }
        }
        return i + 1
    }

    /// Inside a tag: attribute names, their values, and the `>` or `/>` that ends it.
    mutating func tagBody(at i: Int, _ line: inout Markdown.Line, into out: inout [UInt8]) -> Int {
        let bytes = line.bytes, byte = bytes[i]
        switch byte {
        case UInt8(ascii: ">"):
            state.inTag = false
            line.styled(.tag, i, i + 1, into: &out)
            return i + 1
        case UInt8(ascii: "/") where i + 1 < line.end && bytes[i + 1] == UInt8(ascii: ">"):
            state.inTag = false
            line.styled(.tag, i, i + 2, into: &out)
            return i + 2
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let stop = bytes[(i + 1)..<line.end].firstIndex(of: byte).map { $0 + 1 } ?? line.end
            line.styled(.string, i, stop, into: &out)
            return stop
        case UInt8(ascii: "="):
            // An unquoted value runs to a blank or the tag's end.
            var stop = i + 1
            while stop < line.end, !isBlank(bytes[stop]), bytes[stop] != UInt8(ascii: ">"),
                  bytes[stop] != UInt8(ascii: "\""), bytes[stop] != UInt8(ascii: "'") { stop += 1 }
            if stop > i + 1 { line.styled(.string, i + 1, stop, into: &out) }
            return stop
        default:
            guard isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") else { return i + 1 }
            var stop = i + 1
            while stop < line.end, isWordByte(bytes[stop]) || bytes[stop] == UInt8(ascii: ":")
                    || bytes[stop] == UInt8(ascii: "-") || bytes[stop] == UInt8(ascii: ".") { stop += 1 }
            line.styled(.attribute, i, stop, into: &out)
            return stop
        }
    }
}
