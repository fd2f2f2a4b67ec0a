@testable import JSON

extension JSONValue {
    /// Equality that also tells the number kinds apart (`.integer(1)` is not `.double(1.0)`) and compares doubles by
    /// bit pattern (`-0.0` is not `0.0`): what a parser test means by "parses to exactly this".
    func isIdentical(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.double(a), .double(b)): a.bitPattern == b.bitPattern
        case let (.string(a), .string(b)): Array(a.utf8) == Array(b.utf8)
        case let (.array(a), .array(b)): a.count == b.count && zip(a, b).allSatisfy { $0.isIdentical(to: $1) }
        case let (.object(a), .object(b)):
            a.count == b.count && a.allSatisfy { key, value in b[key].map(value.isIdentical(to:)) ?? false }
        default: false
        }
    }

    /// A random value: nested up to `depth` levels, with strings full of escapes and non-ASCII, integers at the
    /// edges of Int64, and doubles from random bit patterns (finite only, since JSON has no others).
    static func random(depth: Int, using random: inout SeededRandom) -> JSONValue {
        let kinds = depth > 0 ? 8 : 6
        switch Int.random(in: 0..<kinds, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(randomInteger(using: &random))
        case 3: return .double(randomDouble(using: &random))
        case 4, 5: return .string(randomString(using: &random))
        case 6:
            let count = Int.random(in: 0...4, using: &random)
            return .array((0..<count).map { _ in .random(depth: depth - 1, using: &random) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                members[randomString(using: &random)] = .random(depth: depth - 1, using: &random)
            }
            return .object(members)
        }
    }

    static func randomInteger(using random: inout SeededRandom) -> Int64 {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: random.pick([0, -1, 1, .max, .min, .max - 1, .min + 1])
        case 1: Int64.random(in: -1000...1000, using: &random)
        default: Int64(bitPattern: random.next())
        }
    }

    static func randomDouble(using random: inout SeededRandom) -> Double {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return random.pick([0.0, -0.0, 0.5, -1.5, 1e-7, 1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e15, 3.0])
        case 1: return Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 8
        default:
            while true {
                let value = Double(bitPattern: random.next())
                if value.isFinite { return value }
            }
        }
    }

    static let stringPieces: [String] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}",
        "é", "e\u{301}", "€", "😀", "\u{FFFD}", "\u{2028}", "\u{FEFF}", "\u{10FFFF}", "中文", "key", "null",
    ]

    static func randomString(using random: inout SeededRandom) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...6, using: &random) { text += random.pick(stringPieces) }
        return text
    }
}

/// Parses text that the test expects to be valid.
func parsed(_ text: String, maxDepth: Int = 64) throws -> JSONValue {
    try JSONValue.parse(text, maxDepth: maxDepth)
}
