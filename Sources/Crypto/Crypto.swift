// Crypto: the few primitives Quarry needs, from OpenSSL's libcrypto (already linked by libwebsockets and libcurl).
//
// Threading: every function here is a pure function of its arguments; OpenSSL 3's one-shot calls are thread-safe.
// Nothing here invents cryptography: HMAC-SHA256 and SHA-256 are OpenSSL's; random bytes come from the kernel's
// generator (`getentropy`), the one OpenSSL seeds its own from. Not `RAND_bytes`: OpenSSL 3's first provider call sets
// up its default provider, about 2 MiB of libcrypto's pages, and a new database's secret is made at startup, before
// anything else needs libcrypto (docs/performance.md).
internal import COpenSSL
#if canImport(Glibc)
internal import Glibc
#endif

/// Errors from OpenSSL. They mean the process cannot produce secure randomness or digests: fatal for the caller.
public enum CryptoError: Error, Equatable {
    /// `getentropy` failed (the entropy source is unavailable).
    case randomUnavailable
    /// A digest call (`EVP_Digest`, `HMAC`) failed.
    case digestFailed(String)
}

/// HMAC-SHA256 (`HMAC` with `EVP_sha256`).
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticate(_ message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        let key = Array(key), message = Array(message)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        // HMAC only fails when the digest cannot be initialised, which means a broken libcrypto.
        precondition(result != nil, "HMAC-SHA256 failed in libcrypto")
        return Array(out.prefix(Int(length)))
    }

    /// Whether `code` is the authentication code of `message` under `key`, compared in constant time.
    public static func verify(
        _ code: some Collection<UInt8>, for message: some Collection<UInt8>, key: some Collection<UInt8>
    ) -> Bool {
        constantTimeEqual(authenticate(message, key: key), Array(code))
    }
}

/// SHA-256 (`EVP_Digest` with `EVP_sha256`).
public enum SHA256 {
    /// The 32-byte digest of `data`.
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        let data = Array(data)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { d in
            EVP_Digest(d.baseAddress, d.count, &out, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1, "SHA-256 failed in libcrypto")
        return Array(out.prefix(Int(length)))
    }
}

/// Random bytes from the kernel's CSPRNG (`getentropy`, that is `getrandom`: it blocks only until the kernel's pool
/// is first seeded).
public enum SecureRandom {
    /// `count` bytes suitable for keys, session ids and nonces.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let piece = min(256, count - filled)  // getentropy's most per call
            let status = out.withUnsafeMutableBytes { getentropy($0.baseAddress! + filled, piece) }
            guard status == 0 else { throw .randomUnavailable }
            filled += piece
        }
        return out
    }
}

/// Whether two byte strings are equal, in time that depends only on their lengths (`CRYPTO_memcmp`).
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
}
