import TestSupport
import SQLite
import Testing

@Suite struct ConnectionTests {
    @Test(arguments: [
        (nil, 5000),
        (Duration.milliseconds(250), 250),
        (Duration.seconds(2), 2000),
    ] as [(Duration?, Int)])
    func fileDatabaseOpensInWALWithBusyTimeout(timeout: Duration?, milliseconds: Int) throws {
        try withTemporaryDirectory { folder in
            let db = try timeout.map { try Connection(path: "\(folder)/q.db", busyTimeout: $0) }
                ?? Connection(path: "\(folder)/q.db")
            #expect(try db.query("PRAGMA journal_mode").first?[0] == .text("wal"))
            #expect(try db.query("PRAGMA busy_timeout").first?[0].int == milliseconds)
            #expect(try db.query("PRAGMA foreign_keys").first?[0] == .integer(1))
            #expect(try db.query("PRAGMA synchronous").first?[0] == .integer(1))  // NORMAL
            #expect(db.location == .file("\(folder)/q.db"))
        }
    }

    @Test func inMemoryDatabaseWorksWithoutWAL() throws {
        let db = try Connection(.memory)
        #expect(try db.query("PRAGMA journal_mode").first?[0] == .text("memory"))
        try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)")
        #expect(try db.query("SELECT count(*) FROM t").first?[0] == .integer(2))
    }

    @Test func missingFolderCannotBeOpened() throws {
        try withTemporaryDirectory { folder in
            let error = #expect(throws: SQLiteError.self) { try Connection(path: "\(folder)/missing/q.db") }
            #expect(error?.code == .cantOpen)
            #expect(error?.message == "unable to open database file")
        }
    }

    @Test func runReportsRowIDAndChanges() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT)")
        try db.run("INSERT INTO t(x) VALUES (?)", "a")
        try db.run("INSERT INTO t(x) VALUES (?)", "b")
        #expect(db.lastInsertRowID == 2)
        try db.run("UPDATE t SET x = ?", "c")
        #expect(db.changes == 2)
        #expect(try db.query("SELECT x FROM t WHERE id = ?", 1).map { $0["x"] } == [.text("c")])
    }

    @Test(arguments: [
        ("", SQLiteError.Code.misuse),
        ("  -- only a comment", .misuse),
        ("SELECT 1; SELECT 2", .misuse),
        ("SELEC 1", .error),
        ("SELECT * FROM nowhere", .error),
    ])
    func badSQLIsRejectedWhenPrepared(sql: String, code: SQLiteError.Code) throws {
        let db = try Connection(.memory)
        let error = #expect(throws: SQLiteError.self) { try db.prepare(sql) }
        #expect(error?.code == code)
        #expect(error?.sql == sql)
    }

    @Test func trailingSemicolonAndCommentAreOneStatement() throws {
        let db = try Connection(.memory)
        #expect(try db.query("SELECT 7; -- done").first?[0] == .integer(7))
    }

    @Test func secondConnectionSeesCommittedData() throws {
        try withTemporaryDirectory { folder in
            let writer = try Connection(path: "\(folder)/q.db")
            let reader = try Connection(path: "\(folder)/q.db")
            try writer.execute("CREATE TABLE t(x)")
            try writer.run("INSERT INTO t VALUES (?)", "committed")
            #expect(try reader.query("SELECT x FROM t").map { $0[0] } == [.text("committed")])
        }
    }

    @Test func writeDuringAnotherWriteTransactionIsBusy() throws {
        try withTemporaryDirectory { folder in
            let holder = try Connection(path: "\(folder)/q.db")
            let other = try Connection(path: "\(folder)/q.db", busyTimeout: .milliseconds(50))
            try holder.execute("CREATE TABLE t(x)")

            try holder.execute("BEGIN IMMEDIATE")
            try holder.run("INSERT INTO t VALUES (1)")
            // WAL: a reader is not blocked by the writer and sees the last committed state.
            #expect(try other.query("SELECT count(*) FROM t").first?[0] == .integer(0))
            let error = #expect(throws: SQLiteError.self) { try other.run("INSERT INTO t VALUES (2)") }
            #expect(error?.code == .busy)
            let beginError = #expect(throws: SQLiteError.self) { try other.transaction {} }
            #expect(beginError?.code == .busy)
            try holder.execute("COMMIT")

            try other.run("INSERT INTO t VALUES (2)")
            #expect(try holder.query("SELECT x FROM t ORDER BY x").map { $0[0] } == [.integer(1), .integer(2)])
        }
    }
}
