// Texts a strict parser must refuse, and why (JSONTestSuite's "n_" files), plus the depth bound against hostile
// nesting.

import Testing
@testable import JSON

@Suite struct JSONParserRejectionTests {
    typealias Reason = JSONError.Reason

    static func unexpected(_ character: Unicode.Scalar) -> Reason { .unexpectedByte(UInt8(ascii: character)) }

    static let structure: [(String, Reason)] = [
        ("[1,]", unexpected("]")),
        (#"{"a":1,}"#, unexpected("}")),
        ("[,1]", unexpected(",")),
        ("[1,,2]", unexpected(",")),
        ("[1 2]", unexpected("2")),
        ("{,}", unexpected(",")),
        ("[1}", unexpected("}")),
        (#"{"a":1]"#, unexpected("]")),
        ("]", unexpected("]")),
        ("}", unexpected("}")),
        (":", unexpected(":")),
        ("{a:1}", unexpected("a")),
        ("{1:1}", unexpected("1")),
        ("{null:1}", unexpected("n")),
        (#"{"a" 1}"#, unexpected("1")),
        (#"{"a":}"#, unexpected("}")),
        (#"{"a"}"#, unexpected("}")),
        (#"{"a":1 "b":2}"#, unexpected("\"")),
        (#"["a":1]"#, unexpected(":")),
        ("'a'", unexpected("'")),
        ("['a']", unexpected("'")),
        ("{'a':1}", unexpected("'")),
        ("/*c*/[1]", unexpected("/")),
        ("[1/*c*/]", unexpected("/")),
        ("[1]//c", .trailingContent),
        ("# c\n1", unexpected("#")),
    ]

    static let numbers: [(String, Reason)] = [
        ("01", .invalidNumber),
        ("00", .invalidNumber),
        ("-01", .invalidNumber),
        ("[01]", .invalidNumber),
        ("-", .invalidNumber),
        ("[-]", .invalidNumber),
        ("- 1", .invalidNumber),
        ("-a", .invalidNumber),
        ("1.", .invalidNumber),
        ("[1.]", .invalidNumber),
        ("1.e1", .invalidNumber),
        ("1e", .invalidNumber),
        ("1E", .invalidNumber),
        ("1e+", .invalidNumber),
        ("1e-", .invalidNumber),
        ("1e+-1", .invalidNumber),
        ("-Infinity", .invalidNumber),
        ("-NaN", .invalidNumber),
        ("1e400", .invalidNumber),  // beyond Double: refused rather than turned into infinity
        ("-1e400", .invalidNumber),
        ("1" + String(repeating: "0", count: 400), .invalidNumber),
        (".5", unexpected(".")),
        ("+1", unexpected("+")),
        ("NaN", unexpected("N")),
        ("Infinity", unexpected("I")),
        ("0x10", .trailingContent),
        ("1.5.2", .trailingContent),
        ("1e5e5", .trailingContent),
        ("2.", .invalidNumber),
    ]

    static let strings: [(String, Reason)] = [
        ("\"a\tb\"", .controlCharacterInString),
        ("\"a\nb\"", .controlCharacterInString),
        ("\"a\rb\"", .controlCharacterInString),
        ("\"\u{0}\"", .controlCharacterInString),
        ("\"\u{1F}\"", .controlCharacterInString),
        ("\"\\n\tb\"", .controlCharacterInString),  // after an escape, on the slow path
        ("{\"a\nb\":1}", .controlCharacterInString),
        (#""\x""#, .invalidEscape),
        (#""\u12G4""#, .invalidEscape),
        (#""\U0041""#, .invalidEscape),
        (#""\'""#, .invalidEscape),
        (#""\a""#, .invalidEscape),
        (#""\0""#, .invalidEscape),
        (#""\u12""#, .invalidEscape),
        (#""\u""#, .invalidEscape),
        (#""\u"#, .unexpectedEnd),
        (#""\u00"#, .unexpectedEnd),
        (#""\ud83d\uZZZZ""#, .invalidEscape),
        ("\"\\\u{e9}\"", .invalidEscape),
        ("\"abc", .unexpectedEnd),
        ("\"", .unexpectedEnd),
        ("\"abc\\", .unexpectedEnd),
        (#""\""#, .unexpectedEnd),
        (#""\u12"#, .unexpectedEnd),
        (#""\n"#, .unexpectedEnd),
        (#"{"a"#, .unexpectedEnd),
    ]

    static let truncated: [(String, Reason)] = [
        ("", .unexpectedEnd),
        (" ", .unexpectedEnd),
        (" \t\r\n ", .unexpectedEnd),
        ("[", .unexpectedEnd),
        ("[1", .unexpectedEnd),
        ("[1,", .unexpectedEnd),
        ("{", .unexpectedEnd),
        (#"{"a""#, .unexpectedEnd),
        (#"{"a":"#, .unexpectedEnd),
        (#"{"a":1"#, .unexpectedEnd),
        (#"{"a":1,"#, .unexpectedEnd),
        ("[[[]]", .unexpectedEnd),
        ("tru", .unexpectedEnd),
        ("nul", .unexpectedEnd),
        ("fals", .unexpectedEnd),
        ("t", .unexpectedEnd),
    ]

    static let literals: [(String, Reason)] = [
        ("tx", unexpected("x")),
        ("True", unexpected("T")),
        ("nulL", unexpected("L")),
        ("[tru]", unexpected("]")),
        ("nil", unexpected("i")),
        ("undefined", unexpected("u")),
        ("truex", .trailingContent),
        ("nullnull", .trailingContent),
    ]

    static let trailing: [(String, Reason)] = [
        ("{} x", .trailingContent),
        ("1 2", .trailingContent),
        ("[]]", .trailingContent),
        ("{}}", .trailingContent),
        (#""a""b""#, .trailingContent),
        ("[],[]", .trailingContent),
        ("1\u{0}", .trailingContent),
    ]

    static let notWhitespace: [(String, Reason)] = [
        ("\u{C}1", .unexpectedByte(0x0C)),  // form feed
        ("\u{A0}1", .unexpectedByte(0xC2)),  // no-break space
        ("\u{FEFF}1", .unexpectedByte(0xEF)),  // a byte-order mark is refused, not skipped
        ("é", .unexpectedByte(0xC3)),
        ("[1,\u{B}2]", .unexpectedByte(0x0B)),
    ]

    static let all: [(String, Reason)] = [structure, numbers, strings, truncated, literals, trailing, notWhitespace]
        .flatMap { $0 }

    @Test("refuses", arguments: all)
    func refuses(text: String, reason: Reason) {
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(text) }
        #expect(error?.reason == reason, "\(text)")
    }

    @Test("reports where it stopped", arguments: [
        ("[1,]", 3), ("{} x", 3), ("\"a\tb\"", 2), (#""\x""#, 2), (#""ab\u12G4""#, 7), ("", 0), ("  ", 2),
        ("[tru]", 4), ("01", 1), ("1.", 2), (#"{"a":1,}"#, 7), ("\"abc", 4), (#"{"a" 1}"#, 5),
    ])
    func offset(text: String, offset: Int) {
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(text) }
        #expect(error?.offset == offset, "\(text)")
    }

    @Test func errorDescriptionNamesTheOffset() {
        let error = JSONError(reason: .trailingContent, offset: 3)
        #expect(error.description == "not JSON at byte 3: trailingContent")
    }

    @Test("nesting one beyond maxDepth is refused", arguments: [1, 2, 10, 64])
    func oneTooDeep(limit: Int) {
        for text in [JSONParserTests.nestedArrays(limit + 1), JSONParserTests.nestedObjects(limit + 1)] {
            let error = #expect(throws: JSONError.self) { try JSONValue.parse(text, maxDepth: limit) }
            #expect(error?.reason == .tooDeep(limit: limit))
        }
    }

    @Test func sixtyFiveBracketsExceedTheDefault() {
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(JSONParserTests.nestedArrays(65)) }
        #expect(error == JSONError(reason: .tooDeep(limit: 64), offset: 64))
    }

    @Test("a custom maxDepth refuses", arguments: [(0, "[]"), (0, "{}"), (1, "[[]]"), (1, #"{"a":{}}"#), (-1, "[]")])
    func customMaxDepthRefuses(maxDepth: Int, text: String) {
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(text, maxDepth: maxDepth) }
        #expect(error?.reason == .tooDeep(limit: maxDepth))
    }

    @Test("hostile nesting fails at the limit instead of overflowing the stack", arguments: [
        String(repeating: "[", count: 100_000),
        String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
        String(repeating: #"{"a":"#, count: 100_000),
        String(repeating: #"[{"a":"#, count: 50_000),
    ])
    func hostileNesting(text: String) {
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(text) }
        #expect(error?.reason == .tooDeep(limit: 64))
        #expect((error?.offset ?? .max) < 400)
    }
}
