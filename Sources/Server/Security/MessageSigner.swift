// Signed tokens in the shape turbo-rails gives signed stream names: `data--signature`, where data is the
// base64url of the payload and signature the hex HMAC-SHA256 of data under a key derived for one purpose.
internal import Crypto
internal import Locking

/// Signs and verifies short strings (stream names, session ids) with a key derived from the server's secret.
public struct MessageSigner: Sendable {
    private let derived: DerivedKey

    /// A signer for one `purpose`; signers for different purposes never accept each other's tokens.
    public init(secret: [UInt8], purpose: String) {
        derived = DerivedKey(secret: secret, purpose: purpose)
    }

    private var key: [UInt8] { derived.key }

    /// `payload` with its signature: `base64url(payload)--hex(HMAC)`.
    public func sign(_ payload: String) -> String {
        let data = ByteEncoding.base64URL(Array(payload.utf8))
        return data + "--" + ByteEncoding.hex(HMACSHA256.authenticate(Array(data.utf8), key: key))
    }

    /// The payload of a token this signer made, or nil for anything else (tampered, forged, malformed).
    public func verify(_ token: String) -> String? {
        // A signature is 64 hex digits; anything much longer than a stream name is not ours.
        guard token.utf8.count <= 4096, let separator = token.utf8.lastIndex(of: UInt8(ascii: "-")),
              separator > token.utf8.startIndex,
              token.utf8[token.utf8.index(before: separator)] == UInt8(ascii: "-")
        else { return nil }
        let data = token.utf8[..<token.utf8.index(before: separator)]
        let signatureHex = token.utf8[token.utf8.index(after: separator)...]
        guard signatureHex.count == 64, let signature = ByteEncoding.bytes(hex: String(decoding: signatureHex, as: UTF8.self)),
              HMACSHA256.verify(signature, for: Array(data), key: key),
              let payload = ByteEncoding.bytes(base64URL: String(decoding: data, as: UTF8.self))
        else { return nil }
        return String(validating: payload, as: UTF8.self)
    }
}

/// A purpose's key, `HMAC(secret, "quarry:" + purpose)`, derived when first used rather than when the server starts:
/// the first HMAC sets up OpenSSL 3's default provider, about 2 MiB of libcrypto's pages, which a server nobody has
/// visited yet does not need (docs/performance.md).
private final class DerivedKey: Sendable {
    private let secret: [UInt8]
    private let purpose: String
    private let derived = Locked<[UInt8]?>(nil)

    init(secret: [UInt8], purpose: String) {
        self.secret = secret
        self.purpose = purpose
    }

    var key: [UInt8] {
        derived.withLock { key in
            if let key { return key }
            let made = HMACSHA256.authenticate(Array("quarry:\(purpose)".utf8), key: secret)
            key = made
            return made
        }
    }
}
