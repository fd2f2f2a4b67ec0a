import Testing
@testable import Gzip

/// Named inputs for the round-trip and `gzip -dc` tests.
struct Sample: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]

    var testDescription: String { "\(name) (\(bytes.count) bytes)" }

    static let all: [Sample] = [
        Sample(name: "empty", bytes: []),
        Sample(name: "one byte", bytes: [0x2a]),
        Sample(name: "small text", bytes: Array("Hello, Quarry! Hello, Quarry!\n".utf8)),
        Sample(name: "1 MB repetitive", bytes: Array(Array("the quick brown fox ".utf8).repeated(52_429))),
        Sample(name: "1 MB random-ish", bytes: pseudoRandomBytes(count: 1 << 20, seed: 42)),
        Sample(name: "all byte values", bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0) }),
    ]
}

extension Array {
    /// The elements `count` times over.
    func repeated(_ count: Int) -> [Element] { [[Element]](repeating: self, count: count).flatMap { $0 } }
}

/// Deterministic incompressible bytes (xorshift64*), so failures reproduce.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return UInt8(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 56)
    }
}

@Test(arguments: Sample.all)
func roundTrip(_ sample: Sample) throws {
    let compressed = try Gzip.compress(sample.bytes)
    #expect(compressed.starts(with: [0x1f, 0x8b]))
    #expect(try Gzip.decompress(compressed, limit: sample.bytes.count) == sample.bytes)
}

@Test(arguments: [-1, 0, 1, 6, 9])
func everyLevelRoundTrips(level: Int) throws {
    let bytes = Sample.all[3].bytes
    let compressed = try Gzip.compress(bytes, level: level)
    #expect(try Gzip.decompress(compressed, limit: bytes.count) == bytes)
}

@Test func repetitiveDataShrinks() throws {
    let bytes = Sample.all[3].bytes
    #expect(try Gzip.compress(bytes).count < bytes.count / 100)
}

@Test func sameInputSameOutput() throws {
    let bytes = Array("deterministic, for ETags".utf8)
    #expect(try Gzip.compress(bytes) == Gzip.compress(bytes))
}

@Test(arguments: [10, -2, Int.max, Int.min])
func invalidLevelThrows(level: Int) {
    #expect(throws: GzipError.self) { try Gzip.compress([1, 2, 3], level: level) }
}

@Test func concatenatedMembersDecompressLikeGzip() throws {
    let first = Array("first member\n".utf8), second = Array("second member\n".utf8)
    let joined = try Gzip.compress(first) + Gzip.compress(second)
    #expect(try Gzip.decompress(joined, limit: 100) == first + second)
}
