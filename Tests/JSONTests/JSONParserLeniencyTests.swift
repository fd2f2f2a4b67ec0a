// Where the parser is deliberately lenient: text it cannot represent as a Swift String becomes U+FFFD instead of
// an error, so one bad character from a browser does not lose the whole message.

import Testing
@testable import JSON

@Suite struct JSONParserLeniencyTests {
    static let loneSurrogates: [(String, String)] = [
        (#""\ud800""#, "\u{FFFD}"),
        (#""\udc00""#, "\u{FFFD}"),
        (#""\udfff""#, "\u{FFFD}"),
        (#""a\ud83db""#, "a\u{FFFD}b"),
        (#""\ud83d \ude00""#, "\u{FFFD} \u{FFFD}"),
        (#""\ud83d\u0041""#, "\u{FFFD}A"),
        (#""\ud83d\n""#, "\u{FFFD}\n"),
        (#""\ud83d\ud83d\ude00""#, "\u{FFFD}😀"),
        (#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}"),
        (#""\ud83d\\""#, "\u{FFFD}\\"),
    ]

    @Test("a lone surrogate escape becomes U+FFFD", arguments: loneSurrogates)
    func loneSurrogate(text: String, expected: String) throws {
        #expect(try parsed(text).string == expected)
    }

    static let quote: UInt8 = 0x22

    static let invalidUTF8: [([UInt8], String)] = [
        ([0xFF], "\u{FFFD}"),
        ([0x80], "\u{FFFD}"),  // a continuation byte alone
        ([0xC3], "\u{FFFD}"),  // a truncated two-byte sequence
        ([0xE2, 0x82], "\u{FFFD}"),
        ([0x61, 0xC3, 0x62], "a\u{FFFD}b"),
        ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),  // overlong "/"
        ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // an encoded surrogate
        ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // beyond U+10FFFF
        ([0xC3, 0xA9, 0xFF, 0xC3, 0xA9], "é\u{FFFD}é"),
        // The same after an escape, where the parser copies byte by byte.
        ([0x5C, 0x6E, 0xFF], "\n\u{FFFD}"),
        ([0x5C, 0x6E, 0xE2, 0x82], "\n\u{FFFD}"),
        ([0xE2, 0x82, 0x5C, 0x6E], "\u{FFFD}\n"),
        // An escape decodes to whole characters; it cannot complete a broken raw sequence before it.
        ([0xE2, 0x82] + Array(#"\u00ac"#.utf8), "\u{FFFD}¬"),
        (Array(#"\u00e9"#.utf8) + [0xA9], "é\u{FFFD}"),
    ]

    @Test("invalid UTF-8 inside a string becomes U+FFFD", arguments: invalidUTF8)
    func invalidUTF8InString(inner: [UInt8], expected: String) throws {
        let value = try JSONValue.parse([Self.quote] + inner + [Self.quote])
        #expect(value.string.map { Array($0.unicodeScalars) } == Array(expected.unicodeScalars))
    }

    @Test("invalid UTF-8 inside a key becomes U+FFFD")
    func invalidUTF8InKey() throws {
        let value = try JSONValue.parse(Array(#"{""#.utf8) + [0xFF] + Array(#"":1}"#.utf8))
        #expect(value["\u{FFFD}"] == 1)
    }

    @Test("invalid UTF-8 outside a string is refused", arguments: [[0xFF], [0x5B, 0x80, 0x5D], [0x31, 0xC3]] as [[UInt8]])
    func invalidUTF8OutsideString(bytes: [UInt8]) {
        #expect(throws: JSONError.self) { try JSONValue.parse(bytes) }
    }

    @Test("canonically equivalent keys are one key, as in any Swift dictionary")
    func canonicallyEquivalentKeys() throws {
        let value = try parsed("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(value.object?.count == 1)
        #expect(value["é"] == 2)
    }
}
