// Built-in accounts, for `quarry user` and the `password` sign-in (docs/access.md): names checked here, passwords
// hashed with argon2id (the Argon2 module) before they reach the Store, which keeps only the hash.
//
// Threading: hashing and checking a password take tens of milliseconds of the calling thread (about 35 ms here)
// and 19 MiB; call `add`, `setPassword` and `verify` off any thread that serves others. They hash outside the
// Store's locks, so other readers and writers do not wait for argon2.
internal import Argon2

/// A built-in account, without its password hash.
public struct Account: Sendable, Equatable {
    /// The row's id: stable for the account's life, never reused while it exists.
    public var id: Int64
    /// The name, in the case it was added with.
    public var name: String
    /// Whether the person may use the admin pages.
    public var isAdmin: Bool
    /// When the account was added, in seconds since 1970.
    public var createdAt: Int64
    /// When its password or admin flag last changed, in seconds since 1970.
    public var updatedAt: Int64

    /// An account as the Store reads it.
    public init(id: Int64, name: String, isAdmin: Bool, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.isAdmin = isAdmin
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The accounts kept in a Store: add, change, remove, list, and check a password.
///
///     let accounts = Accounts(store: store)
///     try accounts.add(name: "ada@example.org", password: Array("correct horse".utf8), isAdmin: true)
///     accounts.verify(name: "Ada@example.org", password: Array("correct horse".utf8))  // the account
public struct Accounts: Sendable {
    /// The lengths a name may have, in bytes (its characters are ASCII, so also in characters).
    public static let userNameBytes = 1...64

    /// The storage that keeps them (a `Store`).
    public let store: any AccountStorage

    /// The accounts in `store`.
    public init(store: any AccountStorage) {
        self.store = store
    }

    /// Throws `.invalidUserName` unless `name` is 1 to 64 ASCII letters, digits and `. _ - @`, the first a letter or
    /// a digit (so e-mail addresses serve as names, and no name looks like an option on a command line). Names are
    /// ASCII so that they are the same whatever their case by SQLite's `NOCASE`, which folds ASCII only.
    public static func check(name: String) throws(StoreError) {
        let bytes = Array(name.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
        }
        guard userNameBytes.contains(bytes.count), isAlphanumeric(bytes[0]),
              bytes.allSatisfy({ isAlphanumeric($0) || Array("._-@".utf8).contains($0) }) else {
            throw .invalidUserName(name)
        }
    }

    /// Adds an account with `password` hashed (argon2id, `PasswordHash.make`).
    /// - Throws: `.invalidUserName`, `.password` (empty, too long), `.userExists` (in any case), `.database`.
    @discardableResult
    public func add(name: String, password: [UInt8], isAdmin: Bool = false) throws(StoreError) -> Account {
        try Self.check(name: name)
        return try store.insertUser(name: name, passwordHash: try Self.hash(password), isAdmin: isAdmin)
    }

    /// Replaces the password of the account `name` (any case).
    /// - Throws: `.password`, `.noSuchUser`, `.database`.
    public func setPassword(name: String, password: [UInt8]) throws(StoreError) {
        try store.updateUser(name: name, passwordHash: try Self.hash(password))
    }

    /// Makes the account `name` (any case) an administrator, or not.
    /// - Throws: `.noSuchUser`, `.database`.
    public func setAdmin(name: String, isAdmin: Bool) throws(StoreError) {
        try store.updateUser(name: name, isAdmin: isAdmin)
    }

    /// Removes the account `name` (any case); whether it existed.
    @discardableResult
    public func remove(name: String) throws(StoreError) -> Bool {
        try store.deleteUser(name: name)
    }

    /// Every account, by name.
    public func list() throws(StoreError) -> [Account] {
        try store.selectUsers()
    }

    /// The account `name` (any case), or nil.
    public func lookup(name: String) throws(StoreError) -> Account? {
        try store.selectUser(name: name)?.account
    }

    /// The account `name` (any case) when `password` is its password; nil otherwise, and when the database cannot
    /// be read. For a name with no account the password is checked against `PasswordHash.decoy`, so a refusal takes
    /// as long whether or not the name exists. Blocks for one hash (see the threading note above).
    public func verify(name: String, password: [UInt8]) -> Account? {
        let found = (try? store.selectUser(name: name)) ?? nil
        let matches = PasswordHash.verify(password: password, encoded: found?.passwordHash ?? PasswordHash.decoy)
        return matches ? found?.account : nil
    }

    /// `password` as a PHC string, or `.password` with why it cannot be one.
    private static func hash(_ password: [UInt8]) throws(StoreError) -> String {
        do { return try PasswordHash.make(password: password) } catch { throw .password(error) }
    }
}
