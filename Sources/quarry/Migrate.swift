// `quarry migrate URL`: the SQLite database copied into PostgreSQL (PostgresStore+Copy.swift does the copying).
import Store
#if canImport(Glibc)
import Glibc
#endif

func runMigrate(_ options: MigrateOptions, environment: Environment) {
    let path = databasePath(options.db, environment)
    guard !DatabaseLocation.namesPostgres(path) else {
        fail("--db names the SQLite file to copy from, not a PostgreSQL database.", code: 64)
    }
    guard access(path, F_OK) == 0 else { fail("There is no database at \(path) to copy; say which with --db FILE.", code: 1) }
    let location: DatabaseLocation
    do { location = try DatabaseLocation(options.target) } catch { fail("\(error)", code: 64) }
    guard case .postgres(let configuration) = location else {
        fail("Copy into a PostgreSQL database: postgresql://USER:PASSWORD@HOST/DATABASE, not “\(options.target)”.", code: 64)
    }
    let source: Store, target: PostgresStore
    do { source = try Store(path: path) } catch { fail("\(error)", code: 1) }
    do { target = try PostgresStore(configuration) } catch { fail("\(error)", code: 1) }
    note("copying \(path) into \(configuration)\n")
    let summary: CopySummary
    do {
        summary = try target.copy(from: source) { note("  \($0)\n") }
    } catch {
        fail("The copy stopped: \(error)", code: 1)
    }
    print("""
        Copied \(path) into \(configuration): \(summary.conversations) conversations (\(summary.messages) messages), \
        \(summary.accounts) accounts, \(summary.signIns) sign-ins, \(summary.documents) documents \
        (\(summary.chunks) passages, \(summary.embeddings) embedded).
        Start each host with --db \(configuration) (the password as in the URL you gave).
        """)
}
