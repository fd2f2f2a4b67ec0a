// Checkpoints of the write-ahead log, and who runs them. By default SQLite checkpoints on the committing connection
// once the WAL passes 1,000 pages (`wal_autocheckpoint`): the commit that crosses it copies every page into the
// database file and syncs it before returning. `onCommit(walFrames:)` lets the owner decide instead, for instance
// to hand the copying to another connection on another thread (`checkpoint(_:)` there).

/// Boxes the Swift hook so that a C callback can reach it through a context pointer.
final class WALHookBox {
    let body: (Int) -> Bool

    init(_ body: @escaping (Int) -> Bool) { self.body = body }

    /// The trampoline `sqlite3_wal_hook` calls: straight into the box's body; a `true` from it checkpoints on the
    /// committing connection, passively, as SQLite's own automatic checkpoint does (its errors ignored, as there).
    static let hook: Raw.WALHook = { context, db, _, frames in
        guard let context, let db else { return 0 }
        let box = Unmanaged<WALHookBox>.fromOpaque(context).takeUnretainedValue()
        if box.body(Int(frames)) { _ = try? Raw.walCheckpoint(db, mode: Raw.checkpointModes.passive) }
        return 0
    }
}

extension Connection {
    /// How much a checkpoint may wait for, as SQLite's `SQLITE_CHECKPOINT_*` modes.
    public enum CheckpointMode: Sendable {
        /// Copies what it can without waiting for any reader or writer (`SQLITE_CHECKPOINT_PASSIVE`).
        case passive
        /// Waits for the writer, then copies everything (`SQLITE_CHECKPOINT_FULL`).
        case full
        /// As `full`, then waits for readers so the next writer starts the WAL over (`SQLITE_CHECKPOINT_RESTART`).
        case restart
        /// As `restart`, and truncates the WAL file to nothing (`SQLITE_CHECKPOINT_TRUNCATE`).
        case truncate
    }

    /// Copies pages from the WAL into the database file (`sqlite3_wal_checkpoint_v2` on "main").
    /// - Returns: the frames in the WAL, and how many of them the database file now holds (both 0 for a database
    ///   that is not in WAL mode).
    /// - Throws: `.busy` when another connection is checkpointing (or, beyond `passive`, holds what it waits for
    ///   past the busy timeout).
    @discardableResult
    public func checkpoint(_ mode: CheckpointMode = .passive) throws(SQLiteError) -> (walFrames: Int, checkpointed: Int) {
        let modes = Raw.checkpointModes
        let raw = switch mode {
        case .passive: modes.passive
        case .full: modes.full
        case .restart: modes.restart
        case .truncate: modes.truncate
        }
        let (frames, checkpointed) = try Raw.walCheckpoint(handle, mode: raw)
        return (max(0, frames), max(0, checkpointed))
    }

    /// Replaces SQLite's automatic checkpoints with `body`, called after each commit that wrote to the WAL with the
    /// number of frames (pages) now in it (`sqlite3_wal_hook`). It runs on the committing thread, inside the call that
    /// committed, so it must be quick and must not use this connection; returning true checkpoints passively on this
    /// connection before the commit returns (what SQLite's automatic checkpoint does). Nil restores automatic
    /// checkpoints at SQLite's default of 1,000 pages (`sqlite3_wal_autocheckpoint`).
    public func onCommit(walFrames body: ((Int) -> Bool)?) throws(SQLiteError) {
        guard let body else {
            try execute("PRAGMA wal_autocheckpoint = 1000")
            walHook = nil
            return
        }
        let box = WALHookBox(body)
        Raw.walHook(handle, WALHookBox.hook, Unmanaged.passUnretained(box).toOpaque())
        walHook = box
    }

    /// The database's page size in bytes (`PRAGMA page_size`).
    public var pageSize: Int {
        get throws(SQLiteError) { try query("PRAGMA page_size").first?[0].int ?? 4096 }
    }
}
