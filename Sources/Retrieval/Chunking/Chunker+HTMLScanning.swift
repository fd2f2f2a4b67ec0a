// The HTML reader's byte-level pieces: attributes, end tags of raw-text elements, character references. Each one
// only moves forward from where it is called, so the scan stays linear.

extension Chunker.HTMLReader {
    /// What the reader needs from a start tag: where it ends, whether it closes itself, its class and role values.
    struct Attributes {
        var end: Int
        var selfClosing = false
        var classValue: Range<Int>?
        var role: Range<Int>?
    }

    /// Reads attributes from `start` to the tag's `>`; nil when the file ends inside the tag.
    static func attributes(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Attributes? {
        let count = bytes.count
        var result = Attributes(end: count)
        var index = start
        while index < count {
            let byte = bytes[index]
            if Chunker.UTF8Text.isSpace(byte) {
                index += 1
                continue
            }
            if byte == 0x3E {
                result.end = index + 1
                return result
            }
            if byte == UInt8(ascii: "/") {
                if index + 1 < count, bytes[index + 1] == 0x3E {
                    result.selfClosing = true
                    result.end = index + 2
                    return result
                }
                index += 1
                continue
            }
            let nameStart = index
            repeat { index += 1 } while index < count && !isAttributeNameEnd(bytes[index])
            let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<index])
            while index < count, Chunker.UTF8Text.isSpace(bytes[index]) { index += 1 }
            guard index < count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < count, Chunker.UTF8Text.isSpace(bytes[index]) { index += 1 }
            let value: Range<Int>
            if index < count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                guard let close = find(bytes[index], in: bytes, from: index + 1) else { return nil }
                value = (index + 1)..<close
                index = close + 1
            } else {
                let valueStart = index
                while index < count, !Chunker.UTF8Text.isSpace(bytes[index]), bytes[index] != 0x3E { index += 1 }
                value = valueStart..<index
            }
            if Chunker.HTMLTag.matches(name, "class") {
                result.classValue = value
            } else if Chunker.HTMLTag.matches(name, "role") {
                result.role = value
            }
        }
        return nil
    }

    @inline(__always) private static func isAttributeNameEnd(_ byte: UInt8) -> Bool {
        Chunker.UTF8Text.isSpace(byte) || byte == 0x3E || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }

    /// Whether the class attribute has `name` among its space-separated tokens.
    static func hasClass(_ attributes: Attributes, _ name: StaticString, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let range = attributes.classValue else { return false }
        var index = range.lowerBound
        while index < range.upperBound {
            while index < range.upperBound, Chunker.UTF8Text.isSpace(bytes[index]) { index += 1 }
            let start = index
            while index < range.upperBound, !Chunker.UTF8Text.isSpace(bytes[index]) { index += 1 }
            if start < index, Chunker.HTMLTag.matches(UnsafeBufferPointer(rebasing: bytes[start..<index]), name) {
                return true
            }
        }
        return false
    }

    /// Where the end tag `</name` (any case, followed by space, `/` or `>`) starts, or the end of the input.
    static func endTag(
        named name: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, from start: Int
    ) -> Int {
        let count = bytes.count
        var index = start
        while let open = find(0x3C, in: bytes, from: index) {
            let nameStart = open + 2
            let nameEnd = nameStart + name.count
            if nameEnd <= count, bytes[open + 1] == UInt8(ascii: "/"),
               nameEnd == count || isAttributeNameEnd(bytes[nameEnd]) {
                var same = true
                for offset in 0..<name.count where bytes[nameStart + offset] | 0x20 != name[offset] | 0x20 {
                    same = false
                    break
                }
                if same { return open }
            }
            index = open + 1
        }
        return count
    }

    /// A character reference at the `&` at `start`: its scalar (0 for one that stands for nothing) and the index
    /// after it; a nil scalar when it is not one (the `&` is then text). Numeric references out of range become
    /// U+FFFD; a missing `;` after digits is tolerated, as browsers do.
    static func characterReference(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (scalar: UInt32?, next: Int) {
        let count = bytes.count
        var index = start + 1
        if index < count, bytes[index] == UInt8(ascii: "#") {
            index += 1
            let hex = index < count && bytes[index] | 0x20 == UInt8(ascii: "x")
            if hex { index += 1 }
            var value: UInt32 = 0
            var digits = 0
            while index < count, digits < 8 {
                let byte = bytes[index]
                let digit: UInt32
                if byte >= 0x30, byte <= 0x39 {
                    digit = UInt32(byte - 0x30)
                } else if hex, byte | 0x20 >= 0x61, byte | 0x20 <= 0x66 {
                    digit = UInt32((byte | 0x20) - 0x61 + 10)
                } else {
                    break
                }
                value = value * (hex ? 16 : 10) + digit
                digits += 1
                index += 1
            }
            guard digits > 0 else { return (nil, start + 1) }
            if index < count, bytes[index] == UInt8(ascii: ";") { index += 1 }
            let valid = value != 0 && Unicode.Scalar(value) != nil
            return (valid ? value : 0xFFFD, index)
        }
        while index < count, index - start <= 9, Chunker.UTF8Text.isAlphanumeric(bytes[index]) { index += 1 }
        guard index < count, bytes[index] == UInt8(ascii: ";"),
              let scalar = Chunker.HTMLEntity.scalar(named: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<index]))
        else { return (nil, start + 1) }
        return (scalar, index + 1)
    }

    /// Text with its character references decoded (for `<title>`).
    static func decoded(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x26 else {
                output.append(bytes[index])
                index += 1
                continue
            }
            let (scalar, next) = characterReference(bytes, at: index)
            if let scalar {
                if scalar != 0, let value = Unicode.Scalar(scalar) { output += String(Character(value)).utf8 }
            } else {
                output.append(0x26)
            }
            index = next
        }
        return output
    }

    // MARK: Searching

    static func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    static func find(_ pattern: StaticString, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let first = pattern.utf8Start[0]
        var index = start
        while let candidate = find(first, in: bytes, from: index) {
            if hasPrefix(bytes, at: candidate, pattern) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ pattern: StaticString) -> Bool {
        let length = pattern.utf8CodeUnitCount
        guard start + length <= bytes.count else { return false }
        let expected = pattern.utf8Start
        for offset in 0..<length where bytes[start + offset] != expected[offset] { return false }
        return true
    }

    /// The end of a tag name: letters, digits, `-`, `_`, `:` and `.`.
    static func nameEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            guard Chunker.UTF8Text.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
            else { break }
            index += 1
        }
        return index
    }

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
}
