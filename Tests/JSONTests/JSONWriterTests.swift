// Writing: compact text, escapes, number forms, sorted keys, and parse(serialized) == value.

import Testing
@testable import JSON

@Suite struct JSONWriterTests {
    static let scalars: [(JSONValue, String)] = [
        (nil, "null"),
        (true, "true"),
        (false, "false"),
        (0, "0"),
        (-1, "-1"),
        (.integer(.max), "9223372036854775807"),
        (.integer(.min), "-9223372036854775808"),
    ]

    static let doubles: [(JSONValue, String)] = [
        (0.5, "0.5"),
        (-2.5, "-2.5"),
        (0.1, "0.1"),
        (1e-7, "1e-07"),
        (1e300, "1e+300"),
        (-1e300, "-1e+300"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        (.double(.greatestFiniteMagnitude), "1.7976931348623157e+308"),
        (3.0, "3"),
        (-3.0, "-3"),
        (0.0, "0"),
        (-0.0, "0"),
        (1e10, "10000000000"),
        (999_999_999_999_999.0, "999999999999999"),
        (1e15, "1000000000000000.0"),  // whole doubles from 1e15 up keep their double form
        (1e16, "1e+16"),
        (.double(.infinity), "null"),
        (.double(-.infinity), "null"),
        (.double(.nan), "null"),
    ]

    static let strings: [(JSONValue, String)] = [
        ("", #""""#),
        ("abc", #""abc""#),
        ("a\"b", #""a\"b""#),
        ("a\\b", #""a\\b""#),
        ("\n\r\t", #""\n\r\t""#),
        ("\u{0}", #""\u0000""#),
        ("\u{1}", #""\u0001""#),
        ("\u{8}", #""\u0008""#),
        ("\u{C}", #""\u000c""#),
        ("\u{1B}", #""\u001b""#),
        ("\u{1F}", #""\u001f""#),
        ("\u{7F}", #""\u007f""#),
        ("/", #""/""#),
        (" ", #"" ""#),
        ("é€😀中文", "\"é€😀中文\""),
        ("e\u{301}", "\"e\u{301}\""),
        ("\u{2028}\u{FEFF}", "\"\u{2028}\u{FEFF}\""),
        ("</script>", #""</script>""#),
    ]

    static let containers: [(JSONValue, String)] = [
        ([], "[]"),
        ([:], "{}"),
        ([1, "a", nil, true, 1.5], #"[1,"a",null,true,1.5]"#),
        ([[[]], [:]], "[[[]],{}]"),
        (["b": 1, "a": 2, "c": []], #"{"a":2,"b":1,"c":[]}"#),
        (["z": ["y": 1, "x": [["b": nil, "a": false]]]], #"{"z":{"x":[{"a":false,"b":null}],"y":1}}"#),
        (["B": 1, "a": 2, "": 3, "10": 4, "9": 5], #"{"":3,"10":4,"9":5,"B":1,"a":2}"#),
        (["a\"\n": "\u{1}"], #"{"a\"\n":"\u0001"}"#),
    ]

    static let lossy: [(JSONValue, String)] = [
        ([.double(.nan), .double(.infinity)], "[null,null]"),
        (["a": .double(-.infinity)], #"{"a":null}"#),
    ]

    @Test("writes", arguments: [scalars, doubles, strings, containers, lossy].flatMap { $0 })
    func writes(value: JSONValue, expected: String) {
        #expect(value.serialized == expected)
    }

    @Test func writeIntoAppends() {
        var out = Array("x=".utf8)
        let value: JSONValue = ["a": [1, 2]]
        value.write(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"x={"a":[1,2]}"#)
    }

    @Test("every control character is escaped", arguments: 0..<0x20)
    func controlCharacters(code: Int) throws {
        let text = String(Character(Unicode.Scalar(UInt8(code))))
        let written = JSONValue.string(text).serialized
        #expect(written.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F })
        #expect(try parsed(written).string == text)
    }

    @Test("round trips", arguments: [scalars, strings, containers].flatMap { $0 })
    func roundTrips(value: JSONValue, text: String) throws {
        #expect(try parsed(value.serialized).isIdentical(to: value))
    }

    @Test("doubles round trip to an equal number", arguments: doubles.filter { $0.0.double?.isFinite == true })
    func doublesRoundTrip(value: JSONValue, text: String) throws {
        let back = try parsed(value.serialized)
        #expect(back == value)
        #expect(back.double == value.double)
    }

    @Test("random doubles survive description and back")
    func randomDoubles() throws {
        var random = SeededRandom(seed: 0xD0B1E)
        for _ in 0..<2_000 {
            let value = JSONValue.randomDouble(using: &random)
            let back = try parsed(JSONValue.double(value).serialized)
            #expect(back.double == value, "\(value)")
        }
    }

    @Test("random nested values round trip", arguments: 0..<500)
    func randomValuesRoundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let value = JSONValue.random(depth: 5, using: &random)
        let text = value.serialized
        let back = try parsed(text)
        #expect(back == value, "\(text)")
        // The written form is canonical: writing what was read gives the same bytes.
        #expect(back.serialized == text)
    }
}
