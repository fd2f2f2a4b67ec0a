extension PostgresConnection {
    /// Takes the session-level advisory lock `key` if no other session holds it, without waiting
    /// (`pg_try_advisory_lock`); true if this session holds it now. Taken twice, it must be released twice.
    ///
    /// The server releases it when this session ends, including when the connection is lost: after a
    /// `.connectionLost` (or a changed `backendPID`), the lock is no longer held.
    public func tryAdvisoryLock(_ key: Int64) throws(PostgresError) -> Bool {
        try query("SELECT pg_try_advisory_lock($1)", key).first?[0].bool == true
    }

    /// Releases one hold of the session-level advisory lock `key` (`pg_advisory_unlock`); false if this session
    /// did not hold it.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) throws(PostgresError) -> Bool {
        try query("SELECT pg_advisory_unlock($1)", key).first?[0].bool == true
    }

    /// Runs `body` holding the advisory lock `key`, then releases it; nil, without running `body`, when another
    /// session holds it (one host at a time: the documents folder's ingestion, say).
    public func withAdvisoryLock<Result>(_ key: Int64, _ body: () throws -> Result) throws -> Result? {
        guard try tryAdvisoryLock(key) else { return nil }
        defer { _ = try? advisoryUnlock(key) }
        return try body()
    }
}
