// Sign-ins of password mode: which browser session belongs to which account, so a sign-in survives a restart and
// ends on sign-out, on `quarry user remove`, or after `SignInRecord.lifetime`.
internal import SQLite

/// A browser session signed in to an account.
public struct SignInRecord: Sendable, Equatable {
    /// The browser's session id (its cookie's).
    public let session: String
    /// The account's name, as stored.
    public let name: String
    public let isAdmin: Bool

    /// How long a sign-in lasts, in seconds: 30 days, then the person signs in again.
    public static let lifetime: Int64 = 30 * 24 * 3600

    public init(session: String, name: String, isAdmin: Bool) {
        self.session = session
        self.name = name
        self.isAdmin = isAdmin
    }
}

extension Store {
    /// Records `session` as signed in to the account `name` (nothing when there is no such account).
    public func recordSignIn(session: String, name: String) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.run("""
                INSERT OR REPLACE INTO sign_ins (session_id, user_id, created_at)
                SELECT ?, id, ? FROM users WHERE name = ?
                """, session, Self.now(), name)
        }
    }

    /// Ends the sign-in of `session`, if any.
    public func removeSignIn(session: String) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.run("DELETE FROM sign_ins WHERE session_id = ?", session)
        }
    }

    /// Every sign-in still valid: younger than `SignInRecord.lifetime`, of an account that still exists (with its
    /// admin flag as it is now). Older ones are deleted on the way.
    public func currentSignIns(now: Int64? = nil) throws(StoreError) -> [SignInRecord] {
        let cutoff = (now ?? Self.now()) - SignInRecord.lifetime
        return try withConnection { db throws(SQLiteError) -> [SignInRecord] in
            try db.run("DELETE FROM sign_ins WHERE created_at < ?", cutoff)
            return try db.query("""
                SELECT s.session_id, u.name, u.is_admin FROM sign_ins AS s JOIN users AS u ON u.id = s.user_id
                """).map { row in
                    SignInRecord(session: row[0].string ?? "", name: row[1].string ?? "", isAdmin: (row[2].int64 ?? 0) != 0)
                }
        }
    }
}
