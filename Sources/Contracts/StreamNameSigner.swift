// The stream names a page may follow are signed where they are rendered into it, and the signature is checked on
// `subscribe` (Server's StreamNames, an HMAC under the server's secret). Who renders them needs only the signing.

/// Signs the stream names put in a page.
public protocol StreamNameSigner: Sendable {
    /// The signed form of `name`, to render into the page.
    func signed(_ name: String) -> String
}
