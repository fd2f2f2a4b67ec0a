// Browser sessions: a random id in an HttpOnly, SameSite=Lax cookie, signed so it cannot be forged.
public import Contracts
public import Crypto

extension SessionID {
    /// A fresh random id.
    public static func random() throws(CryptoError) -> SessionID {
        SessionID(rawValue: ByteEncoding.base64URL(try SecureRandom.bytes(16)))
    }
}

/// Makes and reads the session cookie.
public struct SessionCookies: Sendable {
    /// The cookie's name.
    public static let name = "quarry_session"
    private let signer: MessageSigner

    /// Session cookies signed with a key derived from `secret`.
    public init(secret: [UInt8]) {
        signer = MessageSigner(secret: secret, purpose: "session")
    }

    /// The `Set-Cookie` value that gives the browser `session`; `secure` (the page came over HTTPS) adds
    /// `Secure`, so the browser never sends the cookie over plain HTTP.
    public func setCookie(for session: SessionID, secure: Bool = false) -> String {
        "\(Self.name)=\(signer.sign(session.rawValue)); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// The session named by a request's `Cookie` header, if it carries a valid one.
    public func session(fromCookieHeader header: String) -> SessionID? {
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " })
            guard trimmed.hasPrefix(Self.name + "=") else { continue }
            let value = trimmed.dropFirst(Self.name.count + 1)
            if let id = signer.verify(String(value)) { return SessionID(rawValue: id) }
        }
        return nil
    }
}
