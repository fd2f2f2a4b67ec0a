// `quarry backup`: a consistent copy of the database while Quarry serves from it, and what the copy holds.
internal import SQLite

extension Store {
    /// What a database holds, as a backup reports it.
    public struct Contents: Sendable, Equatable {
        public init(check: String, conversations: Int, messages: Int, documents: Int, passages: Int) {
            self.check = check
            self.conversations = conversations
            self.messages = messages
            self.documents = documents
            self.passages = passages
        }

        /// `PRAGMA quick_check`'s verdict: "ok", or its first complaint.
        public var check: String
        public var conversations: Int
        public var messages: Int
        public var documents: Int
        public var passages: Int
    }

    /// Writes a consistent copy of the database into the new file `path` (mode 0600; it must not exist), while
    /// other connections and processes go on using the database (`Connection.backup(toNewFile:)`).
    /// - Throws: `.database` with `.cantOpen` when `path` exists or cannot be created, `.busy` when the database
    ///   stayed locked, `.full` or `.ioError` when the copy could not be written (no file is left behind then).
    public func backup(to path: String) throws(StoreError) {
        try withReader { db throws(SQLiteError) in try db.backup(toNewFile: path) }
    }

    /// Checks the database (`PRAGMA quick_check`) and counts what it holds.
    public func contents() throws(StoreError) -> Contents {
        try withReader { db throws(SQLiteError) in
            func count(_ table: String) throws(SQLiteError) -> Int {
                try db.query("SELECT count(*) FROM \(table)").first?[0].int ?? 0
            }
            return Contents(check: try db.query("PRAGMA quick_check").first?[0].string ?? "no answer",
                            conversations: try count("threads"), messages: try count("messages"),
                            documents: try count("documents WHERE failure IS NULL"), passages: try count("chunks"))
        }
    }
}
