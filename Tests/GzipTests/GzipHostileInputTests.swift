import Testing
@testable import Gzip

/// Compressed "hello, world" repeated, the base for the damaged-input cases.
let validMember: [UInt8] = try! Gzip.compress(Array("hello, world\n".utf8).repeated(100))

/// Damaged gzip input and the error it must raise.
struct Damage: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let expected: Expected

    enum Expected: Sendable { case truncated, corrupt }

    var testDescription: String { name }

    static let all: [Damage] = [
        Damage(name: "empty input", bytes: [], expected: .truncated),
        Damage(name: "magic only", bytes: [0x1f, 0x8b], expected: .truncated),
        Damage(name: "header only", bytes: Array(validMember.prefix(10)), expected: .truncated),
        Damage(name: "cut in half", bytes: Array(validMember.prefix(validMember.count / 2)), expected: .truncated),
        Damage(name: "trailer missing", bytes: Array(validMember.dropLast(8)), expected: .truncated),
        Damage(name: "one byte short", bytes: Array(validMember.dropLast()), expected: .truncated),
        Damage(name: "not gzip", bytes: Array("plain text, not gzip".utf8), expected: .corrupt),
        Damage(name: "zlib, not gzip", bytes: [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01], expected: .corrupt),
        Damage(name: "bad CRC", bytes: flipping(validMember, at: validMember.count - 6), expected: .corrupt),
        Damage(name: "bad length", bytes: flipping(validMember, at: validMember.count - 2), expected: .corrupt),
        Damage(name: "bad compression method", bytes: flipping(validMember, at: 2), expected: .corrupt),
        Damage(name: "trailing garbage", bytes: validMember + Array("garbage!!!".utf8), expected: .corrupt),
    ]
}

/// `bytes` with the byte at `index` inverted.
func flipping(_ bytes: [UInt8], at index: Int) -> [UInt8] {
    var copy = bytes
    copy[index] ^= 0xff
    return copy
}

@Test(arguments: Damage.all)
func damagedInputThrows(_ damage: Damage) {
    do {
        let output = try Gzip.decompress(damage.bytes, limit: 1 << 20)
        Issue.record("decompressed \(output.count) bytes from damaged input")
    } catch {
        switch (damage.expected, error) {
        case (.truncated, .truncated), (.corrupt, .corrupt): break
        default: Issue.record("expected \(damage.expected), got \(error)")
        }
    }
}

@Test func limitIsEnforced() throws {
    let bytes = [UInt8](repeating: 7, count: 100_000)
    let compressed = try Gzip.compress(bytes)
    #expect(try Gzip.decompress(compressed, limit: 100_000) == bytes)
    #expect(throws: GzipError.limitExceeded(limit: 99_999)) { try Gzip.decompress(compressed, limit: 99_999) }
    #expect(throws: GzipError.limitExceeded(limit: 0)) { try Gzip.decompress(compressed, limit: 0) }
}

@Test func emptyOutputFitsALimitOfZero() throws {
    #expect(try Gzip.decompress(Gzip.compress([]), limit: 0) == [])
}

/// A bomb: 1 GiB of zeros is about 1 MB compressed; with a 1 MiB limit it must fail without inflating it all.
@Test func decompressionBombStopsAtTheLimit() throws {
    let megabyteOfZeros = [UInt8](repeating: 0, count: 1 << 20)
    let member = try Gzip.compress(megabyteOfZeros)
    let bomb = member.repeated(1024)
    #expect(throws: GzipError.limitExceeded(limit: 1 << 20)) { try Gzip.decompress(bomb, limit: 1 << 20) }
}
