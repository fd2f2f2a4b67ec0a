// The storage sign-ins need: which browser session is signed in to whom, kept across restarts (and, with several
// hosts, seen by all of them). `Store` (SQLite) and `PostgresStore` implement it.

/// Sign-ins as the server keeps them (`quarry`'s SignIns.swift).
public protocol SignInStorage: Sendable {
    /// Records `session` as signed in to the built-in account `name` (nothing when there is no such account),
    /// replacing any earlier sign-in of that session.
    func recordSignIn(session: String, account name: String) throws(StoreError)

    /// Records `session` as signed in to `name` of a directory (LDAP), an admin or not as it found, replacing any
    /// earlier sign-in of that session.
    func recordSignIn(session: String, directoryName name: String, isAdmin: Bool) throws(StoreError)

    /// Ends the sign-in of `session`, if any.
    func removeSignIn(session: String) throws(StoreError)

    /// Every sign-in younger than `SignInRecord.lifetime` at `now` (seconds since 1970; the current time when nil),
    /// deleting older ones; a built-in account's with its name and admin flag as they are now. Removing the account
    /// or changing its password ends its sign-ins.
    func currentSignIns(now: Int64?) throws(StoreError) -> [SignInRecord]
}

extension SignInStorage {
    /// Every sign-in still valid now.
    public func currentSignIns() throws(StoreError) -> [SignInRecord] { try currentSignIns(now: nil) }
}

extension Store: SignInStorage {}
extension PostgresStore: SignInStorage {}
