// Argon2: passwords hashed with argon2id (RFC 9106) by Debian's libargon2, for Quarry's built-in accounts.
//
// A hash is made with a fresh 16-byte salt from the kernel (`SecureRandom`) at OWASP's minimum for argon2id
// (19 MiB, 2 passes, 1 lane: https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html),
// and kept as the standard PHC string, so any argon2 implementation can check it. One hash takes about 35 ms
// and 19 MiB here (docs/access.md). The raw calls, the threading rule and why the library is linked and its memory
// mapped: Raw.swift.
internal import Crypto

/// argon2id password hashes in the PHC string format.
///
///     let stored = try PasswordHash.make(password: Array("correct horse".utf8))
///     PasswordHash.verify(password: Array("correct horse".utf8), encoded: stored)  // true
///
/// Both calls take tens of milliseconds of one core and 19 MiB: run them off any thread that serves others.
public enum PasswordHash {
    /// The lengths, in bytes, a password may have: at least one byte, and no more than a passphrase needs (a
    /// longer one would only make each check cost more to hash into argon2's first block).
    public static let passwordBytes = 1...1024

    /// The length of a new hash's salt, in bytes.
    public static let saltBytes = 16

    /// The length of a new hash's output, in bytes.
    public static let hashBytes = 32

    /// argon2's costs: memory, passes over it, and lanes.
    public struct Parameters: Sendable, Hashable {
        /// The memory, in KiB (argon2's m).
        public var memoryKiB: UInt32
        /// The passes over the memory (argon2's t).
        public var iterations: UInt32
        /// The lanes (argon2's p); Quarry computes them one after another on the calling thread.
        public var lanes: UInt32

        /// Costs for a hash.
        public init(memoryKiB: UInt32, iterations: UInt32, lanes: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.lanes = lanes
        }

        /// What new hashes use: OWASP's minimum for argon2id, m = 19456 KiB (19 MiB), t = 2, p = 1.
        public static let standard = Parameters(memoryKiB: 19_456, iterations: 2, lanes: 1)

        /// The most a stored hash may ask for: at most 1 GiB, 100 passes and 16 lanes, and no more than
        /// `ceilingPassedKiB` in all. A hash beyond it (a tampered database) is refused without being computed, so
        /// no sign-in can be made to take minutes.
        public static let ceiling = Parameters(memoryKiB: 1 << 20, iterations: 100, lanes: 16)

        /// The most memory a stored hash may pass over in all (m × t): 2 GiB, about 2 s here; the standard costs
        /// are 38 MiB.
        public static let ceilingPassedKiB: UInt64 = 2 << 20

        /// Whether these costs are within `ceiling` and `ceilingPassedKiB`.
        public var isWithinCeiling: Bool {
            memoryKiB <= Self.ceiling.memoryKiB && iterations <= Self.ceiling.iterations
                && lanes <= Self.ceiling.lanes && UInt64(memoryKiB) * UInt64(iterations) <= Self.ceilingPassedKiB
        }
    }

    /// A PHC string at the standard costs whose salt and hash are all zeros: checking a password against it takes as
    /// long as against a real hash, and it matches no password anyone can find. For an account that does not exist,
    /// so that the time a refusal takes does not tell which names do.
    public static let decoy = EncodedHash(parameters: .standard, salt: [UInt8](repeating: 0, count: saltBytes),
                                          hash: [UInt8](repeating: 0, count: hashBytes)).text

    /// Throws unless `password` is an acceptable length (`passwordBytes`).
    public static func check(password: [UInt8]) throws(PasswordHashError) {
        guard !password.isEmpty else { throw .emptyPassword }
        guard password.count <= passwordBytes.upperBound else { throw .passwordTooLong(limit: passwordBytes.upperBound) }
    }

    /// The PHC string of `password` hashed with argon2id at `parameters` and a fresh salt
    /// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
    /// - Throws: `.emptyPassword`, `.passwordTooLong`, `.randomUnavailable`, `.failed` (libargon2 refused the
    ///   parameters or could not have the memory).
    public static func make(password: [UInt8], parameters: Parameters = .standard) throws(PasswordHashError) -> String {
        try check(password: password)
        let salt: [UInt8]
        do { salt = try SecureRandom.bytes(saltBytes) } catch { throw .randomUnavailable }
        let hash = try Raw.hash(password: password, salt: salt, parameters: parameters, length: hashBytes)
        return EncodedHash(parameters: parameters, salt: salt, hash: hash).text
    }

    /// Whether `password` is the one `encoded` was made from. False, without hashing, for a password of an
    /// unacceptable length and for a string that is not an argon2id PHC string within `Parameters.ceiling` (damaged,
    /// truncated, another algorithm, tampered costs); false when libargon2 fails. Never throws or traps.
    public static func verify(password: [UInt8], encoded: String) -> Bool {
        guard passwordBytes.contains(password.count), let stored = EncodedHash(encoded) else { return false }
        return Raw.verify(password: password, salt: stored.salt, parameters: stored.parameters, expected: stored.hash)
    }
}
