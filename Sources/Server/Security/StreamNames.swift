// Stream names the server renders into a page, signed so a browser can only follow what it was given.
public import Contracts

/// Signs stream names for pages and verifies them on `subscribe`.
public struct StreamNames: StreamNameSigner {
    private let signer: MessageSigner

    /// Stream names signed with a key derived from `secret`.
    public init(secret: [UInt8]) {
        signer = MessageSigner(secret: secret, purpose: "stream")
    }

    /// The signed form of `name`, to render into the page.
    public func signed(_ name: String) -> String { signer.sign(name) }

    /// The stream a signed name stands for, or nil when the signature does not hold.
    public func verified(_ signedName: String) -> String? { signer.verify(signedName) }
}
