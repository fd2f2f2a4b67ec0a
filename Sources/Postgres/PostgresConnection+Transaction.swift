extension PostgresConnection {
    /// How a transaction sees the others running beside it (`BEGIN ISOLATION LEVEL …`).
    public enum Isolation: String, Sendable {
        /// Each statement sees what was committed before it began (PostgreSQL's default).
        case readCommitted = "READ COMMITTED"
        /// Every statement sees what was committed before the transaction's first; a row changed by another since
        /// fails with a serialization failure (`PostgresError.isRetryable`).
        case repeatableRead = "REPEATABLE READ"
        /// As if the transactions ran one after another; any that could not fails as retryable.
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in a transaction: `BEGIN`, then `COMMIT`, or `ROLLBACK` when `body` throws, and rethrows what
    /// `body` threw. Transactions do not nest.
    ///
    /// A `PostgresError` with `isRetryable` (a serialization failure or a deadlock, from `body` or `COMMIT`) means
    /// the whole transaction may be run again; this method does not do so itself.
    @discardableResult
    public func transaction<Result>(_ isolation: Isolation = .readCommitted, _ body: () throws -> Result) throws
        -> Result
    {
        try transaction(isolation, wrappingErrors: { $0 }, body)
    }

    /// `transaction(_:_:)` keeping a typed error: `body` throws `Failure`, and `wrap` turns a `PostgresError` from
    /// `BEGIN` or `COMMIT` into one (pass `{ $0 }` when `Failure` is `PostgresError`).
    @discardableResult
    public func transaction<Result, Failure: Error>(
        _ isolation: Isolation = .readCommitted, wrappingErrors wrap: (PostgresError) -> Failure,
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard !isInTransaction else {
            throw wrap(PostgresError(.statement, "A PostgreSQL transaction cannot start inside another"))
        }
        do { try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)") } catch { throw wrap(error) }
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
        // A lost connection took its transaction with it: nothing to roll back, and no reconnecting for it. A ROLLBACK
        // that fails leaves nothing better to do: the error being thrown is the one that matters.
        guard isInTransaction else { return }
        try? execute("ROLLBACK")
    }
}
