// Built-in accounts and sign-ins on PostgreSQL: the same requirements as Store+Users.swift and Store+SignIns.swift.
// Names are unique and found whatever their ASCII case (`users_by_name` on lower(name); names are ASCII, so
// PostgreSQL's lower() folds exactly what SQLite's NOCASE folds).
internal import Postgres

extension PostgresStore: AccountStorage {
    /// The columns an `Account` is read from, in `account(_:)`'s order.
    private static let accountColumns = "id, name, is_admin, created_at, updated_at"

    public func insertUser(name: String, passwordHash: String, isAdmin: Bool) throws(StoreError) -> Account {
        let now = Self.now()
        do {
            return try withWriter { db throws(PostgresError) -> Account in
                let rows = try db.query("""
                    INSERT INTO users (name, password_hash, is_admin, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
                    RETURNING \(Self.accountColumns)
                    """, name.storable, passwordHash, isAdmin, now)
                return Self.account(rows[0])
            }
        } catch .postgres(let cause) where cause.isUniqueViolation {
            throw .userExists(name)
        }
    }

    public func updateUser(name: String, passwordHash: String) throws(StoreError) {
        // As in Store: the new password and the end of the old one's sign-ins are one transaction.
        try updateUser(name: name, set: "password_hash = $1", passwordHash) { db, id throws(PostgresError) in
            try db.run("DELETE FROM sign_ins WHERE user_id = $1", id)
        }
    }

    public func updateUser(name: String, isAdmin: Bool) throws(StoreError) {
        try updateUser(name: name, set: "is_admin = $1", isAdmin)
    }

    public func deleteUser(name: String) throws(StoreError) -> Bool {
        try withWriter { db throws(PostgresError) -> Bool in
            try db.run("DELETE FROM users WHERE lower(name) = lower($1)", name.storable) > 0
        }
    }

    public func selectUsers() throws(StoreError) -> [Account] {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT \(Self.accountColumns) FROM users ORDER BY lower(name), id").map(Self.account)
        }
    }

    public func selectUser(name: String) throws(StoreError) -> (account: Account, passwordHash: String)? {
        try withReader { db throws(PostgresError) in
            try db.query("SELECT \(Self.accountColumns), password_hash FROM users WHERE lower(name) = lower($1)",
                         name.storable).first.map { (Self.account($0), $0[5].string ?? "") }
        }
    }

    /// Sets `assignment` (one column, `$1`) and `updated_at` on the user `name`, and runs `alsoChange` with the
    /// user's id in the same transaction when the user exists.
    private func updateUser(name: String, set assignment: String, _ value: some PostgresBindable,
                            alsoChange: (PostgresConnection, Int64) throws(PostgresError) -> Void = { _, _ in })
        throws(StoreError)
    {
        let found = try inTransaction { db throws(PostgresError) -> Bool in
            guard let id = try db.query("""
                UPDATE users SET \(assignment), updated_at = $2 WHERE lower(name) = lower($3) RETURNING id
                """, value, Self.now(), name.storable).first?[0].int64
            else { return false }
            try alsoChange(db, id)
            return true
        }
        guard found else { throw .noSuchUser(name) }
    }

    private static func account(_ row: PostgresRow) -> Account {
        Account(id: row[0].int64 ?? 0, name: row[1].string ?? "", isAdmin: row[2].bool ?? false,
                createdAt: row[3].int64 ?? 0, updatedAt: row[4].int64 ?? 0)
    }
}

extension PostgresStore {
    /// Records `session` as signed in to the built-in account `name` (nothing when there is no such account).
    public func recordSignIn(session: String, account name: String) throws(StoreError) {
        try withWriter { db throws(PostgresError) in
            try db.run("""
                INSERT INTO sign_ins (session_id, name, is_admin, user_id, created_at)
                SELECT $1, name, is_admin, id, $2 FROM users WHERE lower(name) = lower($3)
                ON CONFLICT (session_id) DO UPDATE SET name = excluded.name, is_admin = excluded.is_admin,
                    user_id = excluded.user_id, created_at = excluded.created_at
                """, session, Self.now(), name.storable)
        }
    }

    /// Records `session` as signed in to `name` of a directory (LDAP), an admin or not as it found.
    public func recordSignIn(session: String, directoryName name: String, isAdmin: Bool) throws(StoreError) {
        try withWriter { db throws(PostgresError) in
            try db.run("""
                INSERT INTO sign_ins (session_id, name, is_admin, user_id, created_at) VALUES ($1, $2, $3, NULL, $4)
                ON CONFLICT (session_id) DO UPDATE SET name = excluded.name, is_admin = excluded.is_admin,
                    user_id = NULL, created_at = excluded.created_at
                """, session, name.storable, isAdmin, Self.now())
        }
    }

    /// Ends the sign-in of `session`, if any.
    public func removeSignIn(session: String) throws(StoreError) {
        try withWriter { db throws(PostgresError) in
            try db.run("DELETE FROM sign_ins WHERE session_id = $1", session)
        }
    }

    /// Every sign-in still valid: younger than `SignInRecord.lifetime` (older ones are deleted on the way); a built-in
    /// account's with its name and admin flag as they are now.
    public func currentSignIns(now: Int64?) throws(StoreError) -> [SignInRecord] {
        let cutoff = (now ?? Self.now()) - SignInRecord.lifetime
        return try inTransaction { db throws(PostgresError) -> [SignInRecord] in
            try db.run("DELETE FROM sign_ins WHERE created_at < $1", cutoff)
            return try db.query("""
                SELECT s.session_id, coalesce(u.name, s.name), coalesce(u.is_admin, s.is_admin)
                FROM sign_ins AS s LEFT JOIN users AS u ON u.id = s.user_id
                """).map { row in
                SignInRecord(session: row[0].string ?? "", name: row[1].string ?? "", isAdmin: row[2].bool ?? false)
            }
        }
    }
}
