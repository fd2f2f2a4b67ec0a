// Choosing the page's language from the browser's `Accept-Language` (RFC 9110 §12.5.4): language ranges with
// optional q-values, the highest q first, ties in the order given; `de-CH` is served by `de`; `*` and unknown ranges
// by English. The header comes from anyone, so parsing is bounded: at most `maxBytes` are read and `maxRanges`
// ranges looked at, and anything malformed is skipped, never an error.

extension Language {
    /// Most bytes of an `Accept-Language` header that are read.
    public static let maxAcceptLanguageBytes = 1024
    /// Most language ranges of one header that are considered.
    public static let maxAcceptLanguageRanges = 32

    /// The language to speak to a browser that sent `header` (nil: it sent none): the one it prefers most among
    /// those there are words for, English when it prefers none of them.
    public static func preferred(by header: String?) -> Language {
        guard let header else { return english }
        var best: (language: Language, q: Int)?
        var ranges = 0
        for item in Array(header.utf8.prefix(maxAcceptLanguageBytes)).split(separator: UInt8(ascii: ",")) {
            ranges += 1
            if ranges > maxAcceptLanguageRanges { break }
            let parts = item.split(separator: UInt8(ascii: ";"))
            guard let range = parts.first.map(trimmed), !range.isEmpty else { continue }
            var q = 1000
            for parameter in parts.dropFirst() {
                let p = trimmed(parameter)
                guard p.count >= 2, p[p.startIndex] | 0x20 == UInt8(ascii: "q"), p[p.index(after: p.startIndex)] == UInt8(ascii: "=")
                else { continue }
                q = quality(p.dropFirst(2)) ?? 0
            }
            // The primary subtag: `de` of `de-CH`; `*` and anything not letters names no language of ours.
            let primary = range.prefix { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") }
            guard q > 0, (1...8).contains(primary.count), primary.allSatisfy(isLetter),
                  let language = Language(String(decoding: primary, as: UTF8.self))
            else { continue }
            if best == nil || q > best!.q { best = (language, q) }
        }
        return best?.language ?? english
    }

    /// A q-value (`0`, `0.5`, `1.000`) in thousandths; nil when malformed.
    private static func quality(_ text: ArraySlice<UInt8>) -> Int? {
        guard let first = text.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1"), text.count <= 5 else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        let rest = text.dropFirst()
        guard !rest.isEmpty else { return value }
        guard rest.first == UInt8(ascii: "."), rest.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var scale = 100
        for digit in rest.dropFirst() {
            value += Int(digit - 0x30) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[start...end]
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a }
}
