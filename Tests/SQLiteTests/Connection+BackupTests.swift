import Glibc
import SQLite
import TestSupport
import Testing

/// A backup is one consistent moment of a database in use, private to its owner, and never a half-written file.
@Suite struct BackupTests {
    @Test func theCopyHoldsEveryCommittedRowAndNothingHalfDone() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db", pageSize: 8192)
            try db.execute("CREATE TABLE t(x); CREATE TABLE u(y)")
            try db.transaction { for i in 0..<2_000 { try db.run("INSERT INTO t VALUES (?)", "row \(i) " + String(repeating: "x", count: 200)) } }
            // Another connection holds a write transaction open during the backup: it is not in the copy.
            let writer = try Connection(path: "\(folder)/q.db")
            try writer.execute("BEGIN IMMEDIATE; INSERT INTO u VALUES ('pending')")
            let reader = try Connection(path: "\(folder)/q.db")
            try reader.backup(toNewFile: "\(folder)/copy.db")
            try writer.execute("COMMIT")

            let copy = try Connection(path: "\(folder)/copy.db")
            #expect(try copy.query("PRAGMA quick_check").first?[0] == .text("ok"))
            #expect(try copy.query("SELECT count(*) FROM t").first?[0] == .integer(2_000))
            #expect(try copy.query("SELECT count(*) FROM u").first?[0] == .integer(0))
            #expect(try copy.query("PRAGMA page_size").first?[0] == .integer(8192))
            #expect(try copy.query("PRAGMA journal_mode").first?[0] == .text("wal"))
            var info = stat()
            #expect(stat("\(folder)/copy.db", &info) == 0 && info.st_mode & 0o777 == 0o600)
        }
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try db.execute("CREATE TABLE t(x)")
            let precious = "\(folder)/precious"
            let fd = open(precious, O_WRONLY | O_CREAT, 0o644)
            _ = write(fd, "keep me", 7)
            close(fd)
            #expect(throws: SQLiteError.self) { try db.backup(toNewFile: precious) }
            var info = stat()
            #expect(stat(precious, &info) == 0 && info.st_size == 7)
        }
    }

    @Test func aCopyThatCannotBeWrittenLeavesNoFile() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try db.execute("CREATE TABLE t(x)")
            #expect(throws: SQLiteError.self) { try db.backup(toNewFile: "\(folder)/missing/copy.db") }
            #expect(access("\(folder)/missing/copy.db", F_OK) != 0)
        }
    }
}
