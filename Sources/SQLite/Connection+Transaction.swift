extension Connection {
    /// Runs `body` in a write transaction: `BEGIN IMMEDIATE`, then `COMMIT`, or `ROLLBACK` when `body` throws
    /// (each through `sqlite3_exec`), and rethrows what `body` threw.
    ///
    /// `IMMEDIATE` takes the write lock up front, so a competing writer waits (up to the busy timeout) at `BEGIN`
    /// rather than failing halfway through. Transactions do not nest: calling this inside one throws `.error`.
    /// - Throws: `body`'s error, or a `SQLiteError` from `BEGIN` (`.busy` when another connection keeps the write
    ///   lock past the busy timeout) or `COMMIT`.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try transaction(wrappingErrors: { $0 }, body)
    }

    /// `transaction(_:)` keeping a typed error: `body` throws `Failure`, and `wrap` turns a `SQLiteError` from
    /// `BEGIN IMMEDIATE` or `COMMIT` into one (pass `{ $0 }` when `Failure` is `SQLiteError`).
    ///
    ///     try db.transaction(wrappingErrors: { $0 }) { () throws(SQLiteError) in … }
    public func transaction<Result, Failure: Error>(
        wrappingErrors wrap: (SQLiteError) -> Failure, _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        do { try execute("BEGIN IMMEDIATE") } catch { throw wrap(error) }
        let result: Result
        do {
            result = try body()
        } catch {
            rollbackIfOpen()
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            rollbackIfOpen()
            throw wrap(error)
        }
        return result
    }

    private func rollbackIfOpen() {
        // Some errors (SQLITE_FULL, SQLITE_IOERR…) have already rolled the transaction back. A ROLLBACK that still
        // fails leaves nothing better to do: the error being thrown is the one that matters.
        guard isInTransaction else { return }
        try? execute("ROLLBACK")
    }
}
