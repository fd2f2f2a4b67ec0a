// Reading values: subscripts, typed accessors, literals and equality.

import Testing
@testable import JSON

@Suite struct JSONValueTests {
    static let sample: JSONValue = [
        "name": "quarry", "count": 3, "ratio": 0.25, "ok": true, "none": nil,
        "list": [10, "x", [:]], "nested": ["a": ["b": "deep"]],
    ]

    @Test func objectSubscript() {
        #expect(Self.sample["name"] == "quarry")
        #expect(Self.sample["nested"]?["a"]?["b"]?.string == "deep")
        #expect(Self.sample["missing"] == nil)
        #expect(Self.sample["none"] != nil, "a null member is present")
        #expect(Self.sample["none"]?.isNull == true)
        #expect(Self.sample["list"]?["name"] == nil, "an array has no members")
        #expect(JSONValue.string("name")["name"] == nil)
    }

    @Test func arraySubscript() {
        let list = Self.sample["list"]
        #expect(list?[0] == 10)
        #expect(list?[1]?.string == "x")
        #expect(list?[2] == [:])
        #expect(list?[3] == nil)
        #expect(list?[-1] == nil)
        #expect(list?[.max] == nil)
        #expect(Self.sample[0] == nil, "an object has no elements")
    }

    static let accessorCases: [(JSONValue, String?, Int64?, Double?, Bool?)] = [
        ("s", "s", nil, nil, nil),
        (3, nil, 3, 3.0, nil),
        (.integer(.min), nil, .min, -9_223_372_036_854_775_808.0, nil),
        (3.0, nil, 3, 3.0, nil),
        (3.5, nil, nil, 3.5, nil),
        (-0.0, nil, 0, -0.0, nil),
        (1e300, nil, nil, 1e300, nil),
        (.double(9_223_372_036_854_775_808.0), nil, nil, 9_223_372_036_854_775_808.0, nil),
        (.double(.nan), nil, nil, nil, nil),  // nil, not NaN: the Double's own == says NaN is nothing
        (true, nil, nil, nil, true),
        (false, nil, nil, nil, false),
        (nil, nil, nil, nil, nil),
        ([1], nil, nil, nil, nil),
        (["a": 1], nil, nil, nil, nil),
        ("3", "3", nil, nil, nil),  // no conversion from text
    ]

    @Test("typed accessors", arguments: accessorCases)
    func accessors(value: JSONValue, string: String?, int64: Int64?, double: Double?, bool: Bool?) {
        #expect(value.string == string)
        #expect(value.int64 == int64)
        if case .double(let raw) = value, raw.isNaN {
            #expect(value.double?.isNaN == true)
        } else {
            #expect(value.double == double)
        }
        #expect(value.bool == bool)
    }

    @Test func containerAccessors() {
        #expect(JSONValue.array([1, "a"]).array == [1, "a"])
        #expect(JSONValue.object(["a": 1]).object == ["a": 1])
        #expect(JSONValue.array([]).object == nil)
        #expect(JSONValue.object([:]).array == nil)
        #expect(JSONValue.string("[]").array == nil)
    }

    @Test("isNull", arguments: [(nil, true), (0, false), (false, false), ("", false), ([], false), ([:], false)] as [(JSONValue, Bool)])
    func isNull(value: JSONValue, expected: Bool) {
        #expect(value.isNull == expected)
    }

    @Test func literals() {
        #expect(("a" as JSONValue).isIdentical(to: .string("a")))
        #expect((1 as JSONValue).isIdentical(to: .integer(1)))
        #expect((1.0 as JSONValue).isIdentical(to: .double(1.0)))
        #expect((true as JSONValue).isIdentical(to: .bool(true)))
        #expect((nil as JSONValue).isIdentical(to: .null))
        #expect(([1, nil] as JSONValue).isIdentical(to: .array([.integer(1), .null])))
        #expect((["a": nil] as JSONValue).isIdentical(to: .object(["a": .null])))
        #expect((["a": 1, "a": 2] as JSONValue).isIdentical(to: .object(["a": .integer(2)])), "last wins, as in parsing")
    }

    static let equal: [(JSONValue, JSONValue)] = [
        (1, 1.0),  // JSON has one kind of number: 1 and 1.0 are the same number
        (0, -0.0),
        (.integer(1 << 53), .double(9_007_199_254_740_992.0)),
        ([1, ["a": 2]], [1.0, ["a": 2.0]]),
        ("é", "e\u{301}"),  // Swift String equality: canonical equivalence
    ]

    static let unequal: [(JSONValue, JSONValue)] = [
        (1, 1.5),
        (1, "1"),
        (1, true),
        (0, nil),
        (0, false),
        ("", nil),
        ([], [:]),
        ([1], [1, 1]),
        (["a": 1], ["a": 1, "b": 1]),
        (["a": 1], ["b": 1]),
        (.integer(.max), .double(9_223_372_036_854_775_807.0)),  // the double is 2^63, one more than the integer
        (.integer((1 << 53) + 1), .double(9_007_199_254_740_993.0)),  // the double rounds to 2^53
        (.double(.nan), .double(.nan)),
    ]

    @Test("equal values", arguments: equal)
    func equalValues(a: JSONValue, b: JSONValue) {
        #expect(a == b)
        #expect(b == a)
    }

    @Test("unequal values", arguments: unequal)
    func unequalValues(a: JSONValue, b: JSONValue) {
        #expect(a != b)
        #expect(b != a)
    }
}
