// Texts a strict RFC 8259 parser must accept, and exactly what they parse to (JSONTestSuite's "y_" files).

import Testing
@testable import JSON

@Suite struct JSONParserTests {
    static let scalars: [(String, JSONValue)] = [
        ("null", .null),
        ("true", true),
        ("false", false),
        (#""""#, ""),
        (#""hello""#, "hello"),
    ]

    static let numbers: [(String, JSONValue)] = [
        ("0", .integer(0)),
        ("-0", .integer(0)),
        ("7", .integer(7)),
        ("-42", .integer(-42)),
        ("123456789012345678", .integer(123_456_789_012_345_678)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_809.0)),
        ("100000000000000000000", .double(1e20)),
        ("1.0", .double(1.0)),
        ("-0.0", .double(-0.0)),
        ("0.5", .double(0.5)),
        ("1e10", .double(1e10)),
        ("1E-2", .double(0.01)),
        ("-1.5e+3", .double(-1500)),
        ("1E+2", .double(100)),
        ("0e0", .double(0)),
        ("0.000001", .double(0.000001)),
        ("12.5e-1", .double(1.25)),
        ("1e-07", .double(1e-7)),
        ("1e-400", .double(0)),  // underflows to zero, as strtod does
        ("-1e-400", .double(-0.0)),
        ("1.7976931348623157e+308", .double(.greatestFiniteMagnitude)),
        ("5e-324", .double(.leastNonzeroMagnitude)),
        ("0.1", .double(0.1)),
    ]

    static let strings: [(String, JSONValue)] = [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""a\nb""#, "a\nb"),
        (#""\u0041""#, "A"),
        (#""\u00e9""#, "é"),
        (#""\u00E9""#, "é"),
        (#""\u20AC""#, "€"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""x\ud83d\ude00y""#, "x😀y"),
        (#""\udbff\udfff""#, "\u{10FFFF}"),
        (#""\uFFFF""#, "\u{FFFF}"),
        (#""\uFEFF""#, "\u{FEFF}"),
        (#""\u0000""#, "\u{0}"),
        (#""a\u0000b""#, "a\u{0}b"),
        (#""\u001f""#, "\u{1F}"),
        ("\"é€😀中文\"", "é€😀中文"),
        ("\"e\u{301}\"", "e\u{301}"),
        ("\"é\\n€\"", "é\n€"),
        ("\"\u{7F}\"", "\u{7F}"),  // DEL is not a control character to JSON
        ("\"/\"", "/"),
        ("\"\u{2028}\u{2029}\"", "\u{2028}\u{2029}"),
        (#""\\u0041""#, "\\u0041"),
        (#"" \"a\" ""#, " \"a\" "),
    ]

    static let containers: [(String, JSONValue)] = [
        ("[]", []),
        ("{}", [:]),
        ("[1]", [1]),
        (#"[1,"a",null,true,false,1.5,[],{}]"#, [1, "a", nil, true, false, 1.5, [], [:]]),
        ("[[[]]]", [[[]]]),
        (#"{"a":1}"#, ["a": 1]),
        (#"{"":0}"#, ["": 0]),
        (#"{"a":{"b":[1,{"c":null}]}}"#, ["a": ["b": [1, ["c": nil]]]]),
        (#"{"a":1,"a":2}"#, ["a": 2]),
        (#"{"a":1,"b":2,"a":3}"#, ["a": 3, "b": 2]),
        (#"{"\u0061":1,"a":2}"#, ["a": 2]),
        (#"{"a\nb":"c"}"#, ["a\nb": "c"]),
        (#"{"😀":[]}"#, ["😀": []]),
        (#"[{"a":[{"b":{}}]}]"#, [["a": [["b": [:]]]]]),
    ]

    static let whitespace: [(String, JSONValue)] = [
        (" 1 ", 1),
        (" \t\n\r1 \t\n\r", 1),
        ("\n\"a\"\n", "a"),
        ("[ ]", []),
        ("{ }", [:]),
        ("[\n]", []),
        (" [ 1 , 2 ] ", [1, 2]),
        ("{ \"a\" : 1 , \"b\" : [ true ] }", ["a": 1, "b": [true]]),
        ("{\t\"a\"\t:\t1\t}", ["a": 1]),
        ("{\r\n  \"a\": 1,\r\n  \"b\": null\r\n}\r\n", ["a": 1, "b": nil]),
        ("[1\n,\n2]", [1, 2]),
    ]

    static let all: [(String, JSONValue)] = [scalars, numbers, strings, containers, whitespace].flatMap { $0 }

    @Test("accepts", arguments: all)
    func accepts(text: String, expected: JSONValue) throws {
        let value = try parsed(text)
        #expect(value.isIdentical(to: expected), "\(text) parsed to \(value)")
    }

    @Test("byte input parses like string input", arguments: [scalars, strings, containers].flatMap { $0 })
    func bytesAndStringAgree(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(Array(text.utf8)).isIdentical(to: expected))
        #expect(try JSONValue.parse(text.utf8).isIdentical(to: expected))
        // A collection without contiguous storage takes the copying path.
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }).isIdentical(to: expected))
    }

    @Test func sliceOffsetsCountFromTheSliceStart() throws {
        let bytes = Array("xx[1,2]".utf8)
        #expect(try JSONValue.parse(bytes[2...]) == [1, 2])
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(Array("xx[1,]".utf8)[2...]) }
        #expect(error?.offset == 3)
    }

    static func nestedArrays(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    static func nestedObjects(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
    }

    @Test("nesting up to maxDepth is accepted", arguments: [1, 2, 10, 63, 64])
    func nestingWithinTheLimit(depth: Int) throws {
        var arrays = try parsed(Self.nestedArrays(depth))
        var objects = try parsed(Self.nestedObjects(depth))
        for _ in 1..<depth {
            arrays = try #require(arrays[0])
            objects = try #require(objects["a"])
        }
        #expect(arrays == [])
        #expect(objects == ["a": 1])
        #expect(try parsed("[" + Self.nestedObjects(depth - 1) + "]").array?.count == 1)
    }

    @Test("a custom maxDepth", arguments: [(0, "1"), (0, #""s""#), (1, "[1]"), (1, "{}"), (2, "[[1]]"), (2, #"{"a":[]}"#), (3, #"[{"a":[]}]"#)])
    func customMaxDepthAccepts(maxDepth: Int, text: String) throws {
        _ = try parsed(text, maxDepth: maxDepth)
    }

    @Test("siblings do not add to the depth")
    func siblingsAreNotNesting() throws {
        let wide = "[" + Array(repeating: "[[]]", count: 1000).joined(separator: ",") + "]"
        #expect(try parsed(wide, maxDepth: 3).array?.count == 1000)
    }

    @Test("a realistic OpenAI chat.completion.chunk")
    func openAIStreamingChunk() throws {
        let chunk = """
            {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
            """
        let value = try parsed(chunk)
        #expect(value["choices"]?[0]?["delta"]?["content"]?.string == "Hel")
        #expect(value["created"]?.int64 == 1_700_000_000)
        #expect(value["object"]?.string == "chat.completion.chunk")
        #expect(value["choices"]?[0]?["finish_reason"]?.isNull == true)
        #expect(value["choices"]?[0]?["index"]?.int64 == 0)
        #expect(value["choices"]?[1] == nil)
    }

    @Test("the last chunk of a stream and a usage chunk")
    func openAIFinalChunks() throws {
        let last = try parsed(#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
        #expect(last["choices"]?[0]?["delta"]?["content"] == nil)
        #expect(last["choices"]?[0]?["finish_reason"]?.string == "stop")
        let escaped = try parsed(#"{"choices":[{"delta":{"content":"caf\u00e9\n\"ok\" \ud83d\ude00"}}]}"#)
        #expect(escaped["choices"]?[0]?["delta"]?["content"]?.string == "café\n\"ok\" 😀")
        let usage = try parsed(#"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}"#)
        #expect(usage["choices"]?.array?.isEmpty == true)
        #expect(usage["usage"]?["total_tokens"]?.int64 == 21)
    }
}
