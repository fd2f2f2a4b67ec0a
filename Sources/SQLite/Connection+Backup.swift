// A consistent copy of a live database: SQLite's online backup API, from a connection of this process into a new
// file, while other connections (this process's or another's) go on reading and writing it.
#if canImport(Glibc)
internal import Glibc
#endif

extension Connection {
    /// Copies this connection's database into the new file at `path`, which must not exist yet (it is created with
    /// mode 0600: a Quarry database holds its signing secret).
    ///
    /// The copy is one snapshot: every page is copied in a single step, inside one read transaction of this
    /// connection, so writes by others during the copy (which WAL lets go on) are in it entirely or not at all. The
    /// destination is opened without WAL (a WAL destination must already have the source's page size); the copy
    /// keeps the source's page size and journal mode. A busy or locked step is tried again until `busyTimeout`.
    /// Calls `sqlite3_backup_init`, `sqlite3_backup_step` and `sqlite3_backup_finish` (see `Raw`).
    /// - Throws: `.cantOpen` when `path` exists or its folder cannot be written; `.busy` when the database stayed
    ///   locked; `.full` or `.ioError` when the copy could not be written. A failed copy's file is removed.
    public func backup(toNewFile path: String) throws(SQLiteError) {
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard created >= 0 else {
            let reason = errno == EEXIST ? "it already exists" : String(cString: strerror(errno))
            throw SQLiteError(code: .cantOpen, message: "cannot create \(path): \(reason)")
        }
        // The file SQLite writes must be the one just made private: opened without following a link, and the same
        // file (device and inode) as the one created, so a name swapped in between (a folder others may write to)
        // cannot redirect the copy and its signing key.
        var made = stat()
        fstat(created, &made)
        close(created)
        do throws(SQLiteError) {
            let destination = try Raw.open(path, noFollow: true)
            defer { Raw.close(destination) }
            var opened = stat()
            guard stat(path, &opened) == 0, opened.st_dev == made.st_dev, opened.st_ino == made.st_ino else {
                throw SQLiteError(code: .cantOpen, message: "\(path) was replaced while the copy was being made")
            }
            let backup = try Raw.backupInit(destination: destination, source: handle)
            let deadline = ContinuousClock.now + busyTimeout
            do throws(SQLiteError) {
                while !(try Raw.backupStep(backup, pages: -1, destination: destination)) {
                    guard ContinuousClock.now < deadline else {
                        throw SQLiteError(code: .busy, message: "the database stayed locked for \(busyTimeout)")
                    }
                    usleep(20_000)
                }
            } catch {
                try? Raw.backupFinish(backup, destination: destination)
                throw error
            }
            try Raw.backupFinish(backup, destination: destination)
        } catch {
            unlink(path)
            unlink(path + "-journal")
            throw error
        }
    }
}
