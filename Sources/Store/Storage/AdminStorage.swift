// The storage the admin pages need: the knowledge base seen whole (documents with their passages, a document read
// again), the questions left unanswered, and built-in accounts. `Store` (SQLite) implements it; a PostgreSQL
// implementation (docs/many-hosts.md, item 3) must match the behaviour each requirement's comment states.

/// Built-in accounts' rows, for `Accounts`, which checks names and hashes passwords before they get here. Names are
/// compared in any (ASCII) case.
public protocol AccountStorage: Sendable {
    /// Adds a user with `passwordHash` (a PHC string).
    /// - Throws: `.userExists` when the name is taken in any case.
    func insertUser(name: String, passwordHash: String, isAdmin: Bool) throws(StoreError) -> Account

    /// Replaces the password hash of the user `name`, and ends every sign-in made with the old password, as one change
    /// (both or neither).
    /// - Throws: `.noSuchUser`.
    func updateUser(name: String, passwordHash: String) throws(StoreError)

    /// Makes the user `name` an administrator or not.
    /// - Throws: `.noSuchUser`.
    func updateUser(name: String, isAdmin: Bool) throws(StoreError)

    /// Removes the user `name`; whether there was one.
    func deleteUser(name: String) throws(StoreError) -> Bool

    /// Every user, by name (case folded).
    func selectUsers() throws(StoreError) -> [Account]

    /// The user `name` and their password hash, or nil.
    func selectUser(name: String) throws(StoreError) -> (account: Account, passwordHash: String)?
}

/// What `AdminRoom` reads and changes: the knowledge base, its overview, unanswered questions and accounts.
public protocol AdminStorage: KnowledgeStorage, AccountStorage {
    /// Every document with its passages and pages, by title.
    func documentOverview() throws(StoreError) -> [DocumentOverview]

    /// Makes the next look at the documents folder read the document at `path` again, changed or not; whether
    /// there is such a document.
    @discardableResult
    func readAgain(path: String) throws(StoreError) -> Bool

    /// The questions whose answer found no passage or cited none of those it was given, most asked first, at
    /// most `limit`.
    func unansweredQuestions(limit: Int) throws(StoreError) -> [UnansweredQuestion]
}

extension AdminStorage {
    /// The unanswered questions, at most 200.
    public func unansweredQuestions() throws(StoreError) -> [UnansweredQuestion] {
        try unansweredQuestions(limit: 200)
    }
}

extension Store: AccountStorage, AdminStorage {}
