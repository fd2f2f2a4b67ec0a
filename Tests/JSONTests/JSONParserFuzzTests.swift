// Robustness: random bytes and random mutations of valid documents never crash or hang the parser, and whatever it
// accepts survives the writer: parse(serialized) == value, and the written form is canonical.

import Testing
@testable import JSON

@Suite struct JSONParserFuzzTests {
    /// Bytes that matter to the grammar, weighted so random strings often get somewhere interesting.
    static let alphabet: [UInt8] = Array(#"{}[]:,"\/ntrfalseu0123456789-+.eE  "#.utf8)
        + [0x09, 0x0A, 0x0D, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xA9, 0xED, 0xF0, 0xFF]

    static let corpus: [[UInt8]] = (JSONParserTests.all.map(\.0) + [
        """
        {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini",\
        "choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
        """,
        #"{"action":"ask","question":"Qu'est-ce que c'est ? \u00e9\ud83d\ude00","ids":[1,2,3],"opts":{"k":5.5e-1}}"#,
        #"[{"a":[{"b":[{"c":[-0.0,1e+2,"\"\\\/\b\f\n\r\t"]}]}]},true,false,null]"#,
    ]).map { Array($0.utf8) }

    /// Parses, and when that succeeds checks the round trip. Returns whether the bytes were accepted.
    @discardableResult
    static func check(_ bytes: [UInt8]) -> Bool {
        guard let value = try? JSONValue.parse(bytes) else { return false }
        let text = value.serialized
        guard let back = try? JSONValue.parse(text) else {
            Issue.record("accepted \(bytes) but refused its own output \(text)")
            return true
        }
        #expect(back == value, "\(bytes)")
        #expect(back.serialized == text, "\(bytes)")
        return true
    }

    static func randomBytes(using random: inout SeededRandom) -> [UInt8] {
        (0..<Int.random(in: 0...40, using: &random)).map { _ in
            random.oneIn(8) ? UInt8.random(in: 0...255, using: &random) : random.pick(alphabet)
        }
    }

    static func mutate(_ document: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = document
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[index] = random.pick(alphabet)
            case 1: bytes.insert(random.pick(alphabet), at: index)
            case 2 where !bytes.isEmpty: bytes.remove(at: index)
            case 3: bytes.removeSubrange(index...)
            case 4 where !bytes.isEmpty:
                let end = Int.random(in: index..<bytes.count, using: &random) + 1
                bytes.insert(contentsOf: bytes[index..<end], at: index)
            case 5 where !bytes.isEmpty: bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            default: bytes.append(random.pick(alphabet))
            }
        }
        return bytes
    }

    @Test("20,000 random byte strings", .timeLimit(.minutes(1)))
    func randomByteStrings() {
        var random = SeededRandom(seed: 0x5EED_0001)
        var accepted = 0
        for _ in 0..<20_000 where Self.check(Self.randomBytes(using: &random)) { accepted += 1 }
        // Not an assertion on the parser, on the generator: it must reach past the first byte now and then.
        #expect(accepted > 100)
    }

    @Test("20,000 mutations of valid documents", .timeLimit(.minutes(1)))
    func mutatedDocuments() {
        var random = SeededRandom(seed: 0x5EED_0002)
        var accepted = 0
        for _ in 0..<20_000 where Self.check(Self.mutate(random.pick(Self.corpus), using: &random)) { accepted += 1 }
        #expect(accepted > 1_000)
    }

    @Test("mutations of written random values", .timeLimit(.minutes(1)))
    func mutatedRandomValues() {
        var random = SeededRandom(seed: 0x5EED_0003)
        for _ in 0..<2_000 {
            let text = Array(JSONValue.random(depth: 4, using: &random).serialized.utf8)
            #expect(Self.check(text))
            Self.check(Self.mutate(text, using: &random))
        }
    }

    @Test("every prefix of a valid document", arguments: corpus)
    func prefixes(document: [UInt8]) {
        for end in 0..<document.count { Self.check(Array(document[..<end])) }
        #expect(Self.check(document))
    }
}
