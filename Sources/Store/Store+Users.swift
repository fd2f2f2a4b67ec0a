// The `users` table: built-in accounts' names, argon2id password hashes and admin flags. Only `Accounts` calls these;
// it checks names and makes the hashes, so nothing here hashes or sees a password.
internal import SQLite

extension Store {
    /// The columns an `Account` is read from, in `account(_:)`'s order.
    private static let accountColumns = "id, name, is_admin, created_at, updated_at"

    /// Adds a user with `passwordHash` (a PHC string).
    /// - Throws: `.userExists` when the name is taken in any case; `.database`.
    public func insertUser(name: String, passwordHash: String, isAdmin: Bool) throws(StoreError) -> Account {
        let now = Self.now()
        do {
            return try withConnection { db throws(SQLiteError) -> Account in
                let rows = try db.query("""
                    INSERT INTO users (name, password_hash, is_admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    RETURNING \(Self.accountColumns)
                    """, name, passwordHash, isAdmin ? 1 : 0, now, now)
                return Self.account(rows[0])
            }
        } catch .database(let cause) where cause.extendedCode == .constraintUnique {
            throw .userExists(name)
        }
    }

    /// Replaces the password hash of the user `name` (any case).
    /// - Throws: `.noSuchUser`; `.database`.
    public func updateUser(name: String, passwordHash: String) throws(StoreError) {
        // A new password ends every sign-in made with the old one (Store+SignIns.swift), on every browser, in the same
        // transaction: no moment, and no crash between two writes, leaves the old sign-ins beside the new password.
        try updateUser(name: name, set: "password_hash = ?", passwordHash) { db throws(SQLiteError) in
            try db.run("DELETE FROM sign_ins WHERE user_id = (SELECT id FROM users WHERE name = ?)", name)
        }
    }

    /// Makes the user `name` (any case) an administrator or not.
    /// - Throws: `.noSuchUser`; `.database`.
    public func updateUser(name: String, isAdmin: Bool) throws(StoreError) {
        try updateUser(name: name, set: "is_admin = ?", isAdmin ? 1 : 0)
    }

    /// Removes the user `name` (any case); whether there was one.
    public func deleteUser(name: String) throws(StoreError) -> Bool {
        try withConnection { db throws(SQLiteError) -> Bool in
            try db.run("DELETE FROM users WHERE name = ?", name)
            return db.changes > 0
        }
    }

    /// Every user, by name (case folded).
    public func selectUsers() throws(StoreError) -> [Account] {
        try withReader { db throws(SQLiteError) in
            try db.query("SELECT \(Self.accountColumns) FROM users ORDER BY name, id").map(Self.account)
        }
    }

    /// The user `name` (any case) and their password hash, or nil.
    public func selectUser(name: String) throws(StoreError) -> (account: Account, passwordHash: String)? {
        try withReader { db throws(SQLiteError) in
            try db.query("SELECT \(Self.accountColumns), password_hash FROM users WHERE name = ?", name).first.map {
                (Self.account($0), $0[5].string ?? "")
            }
        }
    }

    /// Sets `assignment` (one column, one `?`) and `updated_at` on the user `name`, and runs `alsoChange` in the same
    /// transaction when the user exists.
    private func updateUser(name: String, set assignment: String, _ value: some SQLiteBindable,
                            alsoChange: (Connection) throws(SQLiteError) -> Void = { _ in }) throws(StoreError) {
        let now = Self.now()
        let found = try withConnection { db throws(SQLiteError) -> Bool in
            try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) -> Bool in
                try db.run("UPDATE users SET \(assignment), updated_at = ? WHERE name = ?", value, now, name)
                guard db.changes > 0 else { return false }
                try alsoChange(db)
                return true
            }
        }
        guard found else { throw .noSuchUser(name) }
    }

    private static func account(_ row: Row) -> Account {
        Account(id: row[0].int64 ?? 0, name: row[1].string ?? "", isAdmin: row[2].int64 == 1,
                createdAt: row[3].int64 ?? 0, updatedAt: row[4].int64 ?? 0)
    }
}
