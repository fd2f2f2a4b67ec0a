import Argon2
import Testing

@Suite struct PasswordHashTests {
    static let password = Array("correct horse battery staple".utf8)

    @Test func aHashVerifiesItsPasswordAndNoOther() throws {
        let encoded = try PasswordHash.make(password: Self.password)
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(PasswordHash.verify(password: Self.password, encoded: encoded))
        #expect(!PasswordHash.verify(password: Array("correct horse battery stapler".utf8), encoded: encoded))
        #expect(!PasswordHash.verify(password: Array("Correct horse battery staple".utf8), encoded: encoded))
    }

    @Test func twoHashesOfOnePasswordDifferByTheirSalt() throws {
        let first = try PasswordHash.make(password: Self.password)
        let second = try PasswordHash.make(password: Self.password)
        #expect(first != second)
        #expect(first.split(separator: "$")[3] != second.split(separator: "$")[3])
        #expect(PasswordHash.verify(password: Self.password, encoded: second))
    }

    // What libargon2's own encoder writes for "password" (`argon2id_hash_encoded(2, 19456, 1, "password", 8, salt,
    // 16, 32, …)` from C, the salt sixteen 0x01 bytes), so the PHC string read here is the one the reference writes.
    static let reference = "$argon2id$v=19$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ$"
        + "FGlXh8itGiEPkJl4VLoHXFF7l5JO1RPiRKoFjEigPqM"

    @Test func aHashFromTheReferenceEncoderVerifies() {
        #expect(PasswordHash.verify(password: Array("password".utf8), encoded: Self.reference))
        #expect(!PasswordHash.verify(password: Array("passwort".utf8), encoded: Self.reference))
    }

    /// Damaged and tampered strings, each made from a good hash of `password`: every one is simply false.
    @Test(arguments: Tampering.allCases)
    func aTamperedHashIsFalse(tampering: Tampering) throws {
        let good = try PasswordHash.make(password: Self.password)
        let bad = tampering.apply(good)
        #expect(bad != good, "\(tampering) changed nothing")
        #expect(!PasswordHash.verify(password: Self.password, encoded: bad), "\(tampering): \(bad)")
    }

    @Test func theDecoyCostsWhatAStandardHashCostsAndMatchesNothing() {
        #expect(PasswordHash.decoy.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$"))
        #expect(!PasswordHash.verify(password: Self.password, encoded: PasswordHash.decoy))
    }

    @Test func passwordsAreOneTo1024Bytes() throws {
        #expect(throws: PasswordHashError.emptyPassword) { try PasswordHash.make(password: []) }
        let long = [UInt8](repeating: 0x61, count: 1025)
        #expect(throws: PasswordHashError.passwordTooLong(limit: 1024)) { try PasswordHash.make(password: long) }
        let longest = [UInt8](repeating: 0x61, count: 1024)
        #expect(PasswordHash.verify(password: longest, encoded: try PasswordHash.make(password: longest)))
        #expect(!PasswordHash.verify(password: [], encoded: Self.reference))
        #expect(!PasswordHash.verify(password: long, encoded: Self.reference))
    }

    @Test func otherCostsWithinTheCeilingVerify() throws {
        let cheap = PasswordHash.Parameters(memoryKiB: 64, iterations: 1, lanes: 2)
        let encoded = try PasswordHash.make(password: Self.password, parameters: cheap)
        #expect(encoded.hasPrefix("$argon2id$v=19$m=64,t=1,p=2$"))
        #expect(PasswordHash.verify(password: Self.password, encoded: encoded))
    }

    @Test func costsLibargon2RefusesAreAnErrorNotATrap() {
        let tooLittle = PasswordHash.Parameters(memoryKiB: 1, iterations: 1, lanes: 1)
        #expect(throws: PasswordHashError.self) { try PasswordHash.make(password: Self.password, parameters: tooLittle) }
        #expect(!PasswordHash.verify(password: Self.password, encoded: "$argon2id$v=19$m=1,t=1,p=1$AQEBAQEBAQEBAQEBAQEBAQ$"
            + "FGlXh8itGiEPkJl4VLoHXFF7l5JO1RPiRKoFjEigPqM"))
    }
}

/// What is done to a good hash's PHC string, in the words of the format.
enum Tampering: String, CaseIterable, CustomTestStringConvertible {
    case changedHashByte = "a changed byte of the hash"
    case truncated = "truncated"
    case onlyParameters = "truncated to its parameters"
    case argon2i = "argon2i instead of argon2id"
    case argon2d = "argon2d instead of argon2id"
    case version16 = "version 16"
    case noVersion = "no version"
    case memoryAboveOneGiB = "m above 1 GiB"
    case iterationsAbove100 = "t above 100"
    case workAboveCeiling = "m × t above the ceiling"
    case memoryBeyond32Bits = "m beyond 32 bits"
    case lanes17 = "p of 17"
    case plusSign = "a plus sign before a number"
    case reordered = "parameters reordered"
    case padding = "base64 padding"
    case extraField = "an extra field"
    case shortSalt = "the salt cut to 4 bytes"
    case empty = "empty"
    case notAHash = "not a hash"

    var testDescription: String { rawValue }

    func apply(_ s: String) -> String {
        switch self {
        case .changedHashByte: changeHash(s)
        case .truncated: String(s.dropLast(5))
        case .onlyParameters: String(s.prefix(31))
        case .argon2i: s.replacingFirst("$argon2id$", "$argon2i$")
        case .argon2d: s.replacingFirst("$argon2id$", "$argon2d$")
        case .version16: s.replacingFirst("$v=19$", "$v=16$")
        case .noVersion: s.replacingFirst("$v=19$", "$")
        case .memoryAboveOneGiB: s.replacingFirst("m=19456", "m=2097152")
        case .iterationsAbove100: s.replacingFirst("t=2,", "t=101,")
        case .workAboveCeiling: s.replacingFirst("m=19456,t=2", "m=1048576,t=3")
        case .memoryBeyond32Bits: s.replacingFirst("m=19456", "m=99999999999")
        case .lanes17: s.replacingFirst("p=1$", "p=17$")
        case .plusSign: s.replacingFirst("t=2,", "t=+2,")
        case .reordered: s.replacingFirst("m=19456,t=2", "t=2,m=19456")
        case .padding: s + "="
        case .extraField: s + "$AAAA"
        case .shortSalt: cutSalt(s)
        case .empty: ""
        case .notAHash: "hunter2"
        }
    }
}

/// `text` with the first character of its hash field changed, so the hash's first byte differs.
private func changeHash(_ text: String) -> String {
    var fields = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
    fields[5] = (fields[5].first == "A" ? "B" : "A") + fields[5].dropFirst()
    return fields.joined(separator: "$")
}

/// `text` with its salt field cut to 4 bytes' worth of base64.
private func cutSalt(_ text: String) -> String {
    var fields = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
    fields[4] = String(fields[4].prefix(6))
    return fields.joined(separator: "$")
}

extension String {
    /// This string with its first `old` replaced by `new`.
    fileprivate func replacingFirst(_ old: String, _ new: String) -> String {
        replacing(old, with: new, maxReplacements: 1)
    }
}
