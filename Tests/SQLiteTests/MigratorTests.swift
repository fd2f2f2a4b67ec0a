import TestSupport
import SQLite
import Testing

@Suite struct MigratorTests {
    static let first = Migration("create notes", sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    static let second = Migration("seed notes") { db throws(SQLiteError) in
        for body in ["one", "two"] { try db.run("INSERT INTO notes(body) VALUES (?)", body) }
    }
    static let third = Migration(
        "add tags", sql: "CREATE TABLE tags(name TEXT PRIMARY KEY); ALTER TABLE notes ADD tag TEXT")

    @Test func appliesOnceThenIsANoOp() throws {
        try withTemporaryDirectory { folder in
            let migrator = Migrator([Self.first, Self.second])
            let db = try Connection(path: "\(folder)/q.db")
            #expect(try migrator.appliedVersion(in: db) == 0)
            #expect(try migrator.migrate(db) == ["create notes", "seed notes"])
            #expect(try migrator.appliedVersion(in: db) == 2)

            let reopened = try Connection(path: "\(folder)/q.db")
            #expect(try migrator.migrate(reopened) == [])
            #expect(try reopened.query("SELECT count(*) FROM notes").first?[0] == .integer(2))
        }
    }

    @Test func appendedMigrationIsTheOnlyOneApplied() throws {
        let db = try Connection(.memory)
        try Migrator([Self.first, Self.second]).migrate(db)
        #expect(try Migrator([Self.first, Self.second, Self.third]).migrate(db) == ["add tags"])
        #expect(try db.query("PRAGMA user_version").first?[0] == .integer(3))
        #expect(try db.query("SELECT count(*) FROM notes").first?[0] == .integer(2))
    }

    @Test func failingMigrationLeavesThePreviousVersion() throws {
        let db = try Connection(.memory)
        let broken = Migration("broken", sql: "CREATE TABLE half(x); CREATE TABL oops(y)")
        let error = #expect(throws: SQLiteError.self) { try Migrator([Self.first, broken]).migrate(db) }
        #expect(error?.code == .error)
        #expect(try db.query("PRAGMA user_version").first?[0] == .integer(1))
        #expect(try db.query("SELECT name FROM sqlite_schema WHERE name = 'half'").isEmpty)
    }

    @Test func databaseFromANewerVersionIsRefused() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try Migrator([Self.first, Self.second, Self.third]).migrate(db)
            let older = Migrator([Self.first, Self.second])
            let error = #expect(throws: SQLiteError.self) { try older.migrate(db) }
            #expect(error?.message.contains("schema version is 3 but this program knows only 2") == true)
            #expect(error?.message.contains("newer version") == true)
            #expect(try db.query("PRAGMA user_version").first?[0] == .integer(3))
        }
    }

    @Test func twoConnectionsMigratingTheSameFileApplyEachOnce() throws {
        try withTemporaryDirectory { folder in
            let migrator = Migrator([Self.first, Self.second, Self.third])
            let a = try Connection(path: "\(folder)/q.db")
            let b = try Connection(path: "\(folder)/q.db")
            // b reads version 0 before a migrates; the re-check inside each transaction keeps b from reapplying.
            #expect(try migrator.appliedVersion(in: b) == 0)
            #expect(try migrator.migrate(a).count == 3)
            #expect(try migrator.migrate(b) == [])
            #expect(try b.query("SELECT count(*) FROM notes").first?[0] == .integer(2))
        }
    }
}
