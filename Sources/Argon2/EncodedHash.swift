// The PHC string format of an argon2id hash, as libargon2's `argon2id_hash_encoded` writes it
// (https://github.com/P-H-C/phc-string-format; the reference implementation's `encode_string`):
//
//     $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// salt and hash in base64 without padding. Read strictly: argon2id only, version 19 only, the three parameters in
// that order as plain decimals, and nothing that would make one check cost more than `PasswordHash.Parameters.ceiling`
// allows. A string that is anything else is not a hash Quarry verifies against.
internal import Crypto

/// A parsed argon2id PHC string: the parameters, the salt and the hash.
struct EncodedHash: Equatable {
    var parameters: PasswordHash.Parameters
    var salt: [UInt8]
    var hash: [UInt8]

    /// The salt lengths accepted in a stored string (libargon2's least is 8; Quarry writes 16).
    static let saltLengths = 8...64
    /// The hash lengths accepted in a stored string (Quarry writes 32).
    static let hashLengths = 16...64
    /// The longest string worth parsing: 64-byte salt and hash, ten-digit parameters, with room to spare.
    static let maxLength = 256

    init(parameters: PasswordHash.Parameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// Parses `text`; nil unless it is an argon2id, version 19, PHC string within the accepted lengths and ceiling.
    init?(_ text: String) {
        guard text.utf8.count <= Self.maxLength else { return nil }
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].isEmpty, fields[1] == "argon2id", fields[2] == "v=19" else { return nil }
        let costs = fields[3].split(separator: ",", omittingEmptySubsequences: false)
        guard costs.count == 3,
              let memory = Self.decimal(costs[0], named: "m"),
              let iterations = Self.decimal(costs[1], named: "t"),
              let lanes = Self.decimal(costs[2], named: "p") else { return nil }
        let parameters = PasswordHash.Parameters(memoryKiB: memory, iterations: iterations, lanes: lanes)
        guard parameters.isWithinCeiling,
              let salt = ByteEncoding.bytes(base64: fields[4]), Self.saltLengths.contains(salt.count),
              let hash = ByteEncoding.bytes(base64: fields[5]), Self.hashLengths.contains(hash.count) else { return nil }
        self.init(parameters: parameters, salt: salt, hash: hash)
    }

    /// The PHC string.
    var text: String {
        "$argon2id$v=19$m=\(parameters.memoryKiB),t=\(parameters.iterations),p=\(parameters.lanes)"
            + "$\(ByteEncoding.base64(salt))$\(ByteEncoding.base64(hash))"
    }

    /// The value of `field` when it is `name=` and 1 to 10 ASCII digits that fit in 32 bits.
    private static func decimal(_ field: Substring, named name: String) -> UInt32? {
        guard field.hasPrefix(name + "=") else { return nil }
        let digits = field.dropFirst(name.count + 1)
        guard (1...10).contains(digits.utf8.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return UInt32(digits)
    }
}
