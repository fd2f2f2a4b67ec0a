// What the chunker does to bytes before any format reads them: refuse binaries, repair UTF-8, normalise newlines.

extension Chunker {
    /// How many leading bytes the binary test looks at.
    static let binaryProbeLength = 8192

    /// True for a NUL byte in the first 8 KB, or when more than 30% of them are control bytes other than
    /// tab, newline, carriage return, form feed and escape.
    static func looksBinary(_ bytes: [UInt8]) -> Bool {
        let probe = min(bytes.count, binaryProbeLength)
        guard probe > 0 else { return false }
        var controls = 0
        for index in 0..<probe {
            let byte = bytes[index]
            if byte == 0 { return true }
            if byte < 0x20 || byte == 0x7F {
                switch byte {
                case 0x09, 0x0A, 0x0C, 0x0D, 0x1B: break
                default: controls += 1
                }
            }
        }
        return controls * 10 > probe * 3
    }

    /// The text as valid UTF-8 (invalid sequences become U+FFFD), without a byte-order mark, with every CRLF and lone
    /// CR turned into LF.
    static func normalizedText(_ bytes: [UInt8]) -> [UInt8] {
        var text = Array(String(decoding: bytes, as: UTF8.self).utf8)
        if text.count >= 3, text[0] == 0xEF, text[1] == 0xBB, text[2] == 0xBF { text.removeFirst(3) }
        guard text.contains(0x0D) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == 0x0D {
                output.append(0x0A)
                if index + 1 < text.count, text[index + 1] == 0x0A { index += 1 }
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
