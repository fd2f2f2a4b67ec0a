// Checkpoints of a growing answer, kept off the answer's way. The answer streams while its text is saved about
// once a second; when the database is busy (a batch of documents being stored, a backup, another process holding
// the write lock), that save is skipped rather than waited for, so the stream never pauses for it: the next
// checkpoint saves the text so far, and the answer's end is always saved (`finishAnswer` waits its turn).
internal import SQLite

extension Store {
    /// Saves an answer's text and thinking so far (status unchanged) if the database can be written at once.
    /// - Returns: false, having saved nothing, when another write holds the database now.
    @discardableResult
    public func checkpointIfFree(message: Int64, content: String, thinking: String) throws(StoreError) -> Bool {
        try withConnectionIfFree { db throws(SQLiteError) in
            try db.run("UPDATE messages SET content = ?, thinking = ?, updated_at = ? WHERE id = ? AND \(Self.ownJob)",
                       content, thinking, Self.now(), message, host.name, host.name)
        } != nil
    }
}
