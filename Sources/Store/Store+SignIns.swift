// Sign-ins: which browser session belongs to whom, so a sign-in survives a restart and ends on sign-out, after
// `SignInRecord.lifetime`, or, for a built-in account, on `quarry user remove` or `passwd`.
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
    /// Records `session` as signed in to the built-in account `name` (nothing when there is no such account).
    public func recordSignIn(session: String, account name: String) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.run("""
                INSERT OR REPLACE INTO sign_ins (session_id, name, is_admin, user_id, created_at)
                SELECT ?, name, is_admin, id, ? FROM users WHERE name = ?
                """, session, Self.now(), name)
        }
    }

    /// Records `session` as signed in to `name` of a directory (LDAP), an admin or not as it found.
    public func recordSignIn(session: String, directoryName name: String, isAdmin: Bool) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.run("INSERT OR REPLACE INTO sign_ins (session_id, name, is_admin, created_at) VALUES (?, ?, ?, ?)",
                       session, name, isAdmin, Self.now())
        }
    }

    /// Ends the sign-in of `session`, if any.
    public func removeSignIn(session: String) throws(StoreError) {
        try withConnection { db throws(SQLiteError) in
            try db.run("DELETE FROM sign_ins WHERE session_id = ?", session)
        }
    }

    /// Every sign-in still valid: younger than `SignInRecord.lifetime` (older ones are deleted on the way); a built-in
    /// account's with its name and admin flag as they are now.
    public func currentSignIns(now: Int64?) throws(StoreError) -> [SignInRecord] {
        let cutoff = (now ?? Self.now()) - SignInRecord.lifetime
        return try withConnection { db throws(SQLiteError) -> [SignInRecord] in
            try db.run("DELETE FROM sign_ins WHERE created_at < ?", cutoff)
            return try db.query("""
                SELECT s.session_id, coalesce(u.name, s.name), coalesce(u.is_admin, s.is_admin)
                FROM sign_ins AS s LEFT JOIN users AS u ON u.id = s.user_id
                """).map { row in
                    SignInRecord(session: row[0].string ?? "", name: row[1].string ?? "", isAdmin: (row[2].int64 ?? 0) != 0)
                }
        }
    }
}
