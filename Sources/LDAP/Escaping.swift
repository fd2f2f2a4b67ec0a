// A name typed into the sign-in form, made safe to put inside an LDAP search filter or a DN: whatever it holds, it
// stays one value and cannot add a clause to the filter or a component to the DN. Both work on UTF-8 bytes; bytes
// of multi-byte characters pass through unchanged, as both RFCs allow.

/// Escaping of values for filters (RFC 4515) and DNs (RFC 4514).
public enum LDAPEscaping {
    /// `value` for an assertion in a search filter (RFC 4515, section 3): `*`, `(`, `)`, `\` and NUL become `\2a`,
    /// `\28`, `\29`, `\5c` and `\00`, so `*)(uid=*` matches only a name spelled exactly so.
    public static func filterValue(_ value: String) -> String {
        var out: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), 0: out += hex(byte)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as an attribute value in a DN (RFC 4514, section 2.4): `"`, `+`, `,`, `;`, `<`, `=`, `>` and `\`
    /// preceded by a backslash; a leading space or `#`, a trailing space and NUL written as hex pairs.
    public static func dnValue(_ value: String) -> String {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"),
                 UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0: out += hex(byte)
            case UInt8(ascii: " ") where index == 0 || index == bytes.count - 1: out += hex(byte)
            case UInt8(ascii: "#") where index == 0: out += hex(byte)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `\` and two lower-case hex digits.
    private static func hex(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [UInt8(ascii: "\\"), digits[Int(byte >> 4)], digits[Int(byte & 0xf)]]
    }
}
