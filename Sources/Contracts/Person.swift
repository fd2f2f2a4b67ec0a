// Who is signed in, as the admin pages are told (Server's Access.swift says how each `--auth` mode finds them).

/// Someone signed in.
public struct Person: Sendable, Hashable {
    /// The name they signed in with (the proxy's, or the account's).
    public let name: String
    /// Whether they may use the admin pages.
    public let isAdmin: Bool

    public init(name: String, isAdmin: Bool) {
        self.name = name
        self.isAdmin = isAdmin
    }
}
