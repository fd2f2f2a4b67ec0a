// `quarry backup COPY`: a consistent copy of the database, made while Quarry may be serving from it, then checked
// and summed up so the person knows what they have.
import Store
#if canImport(Glibc)
import Glibc
#endif

func runBackup(_ options: BackupOptions, environment: Environment) {
    let path = databasePath(options.db, environment)
    if DatabaseLocation.namesPostgres(path) {
        fail("quarry backup copies a SQLite file. A PostgreSQL database is backed up with PostgreSQL's own tools: "
             + "pg_dump --format=custom --file=quarry.dump DATABASE-URL (docs/postgres.md).", code: 64)
    }
    guard access(path, F_OK) == 0 else { fail("There is no database at \(path) to back up; say which with --db FILE.", code: 1) }
    guard access(options.copy, F_OK) != 0 else {
        fail("\(options.copy) already exists: choose another name, or remove it first.", code: 1)
    }
    let store: Store
    do { store = try Store(path: path) } catch { fail("\(error)", code: 1) }
    do {
        try store.backup(to: options.copy)
    } catch {
        fail("The backup could not be written: \(error)", code: 1)
    }
    // The copy is opened as Quarry would open it, and checked.
    let contents: Store.Contents
    do {
        contents = try Store(path: options.copy).contents()
    } catch {
        fail("The backup was written to \(options.copy) but cannot be read back: \(error)", code: 1)
    }
    guard contents.check == "ok" else {
        fail("The backup in \(options.copy) failed its check (\(contents.check)); keep the database and try again.", code: 1)
    }
    print("""
        Backed up \(path) to \(options.copy): \(contents.conversations) conversations (\(contents.messages) messages), \
        \(contents.documents) documents (\(contents.passages) passages).
        To restore it: stop Quarry, delete \(path)-wal and \(path)-shm, copy \(options.copy) over \(path), start Quarry.
        """)
}
