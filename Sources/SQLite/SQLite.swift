// SQLite: a thin wrapper over libsqlite3 (Debian 12: 3.40.1, FTS5 compiled in), modelled on GRDB.
//
// Threading rule: one connection per owner. A `Connection` (and every `Statement` prepared on it) belongs to one
// owner at a time and is never used from two threads at once; an owner that runs on several threads (a server's
// store, say) holds its own lock around every use. Connections are opened with `SQLITE_OPEN_NOMUTEX` (SQLite's
// "multi-thread" mode): SQLite itself does not serialise calls on one connection, so the owner's rule is what keeps
// it correct. `Connection` and `Statement` are therefore not `Sendable`; the values (`SQLiteValue`, `Row`,
// `SQLiteError`, `Migration`, `Migrator`) are. Several connections, in this process or others, may open the same file:
// WAL lets readers run beside one writer, and a second writer waits up to the busy timeout, then gets `.busy`.
//
// Layout: every raw libsqlite3 call lives in `Raw.swift`, behind one helper that turns result codes into throws.
// Nothing public exposes a C type, an `OpaquePointer` or an unsafe pointer.

/// Facts about the linked libsqlite3.
public enum SQLiteLibrary {
    /// The library's version string, e.g. `"3.40.1"` (`sqlite3_libversion`).
    public static var version: String { Raw.libraryVersion() }
    /// The bytes the library holds on the heap now, for every connection of the process together: mostly each
    /// connection's page cache, which fills up to its `cache_size` and stays (`sqlite3_memory_used`).
    public static var memoryUsed: Int64 { Raw.memoryUsed() }
}
