import TestSupport
import SQLite
import Testing

@Suite struct TransactionTests {
    struct Refusal: Error, Equatable {}

    @Test func commitKeepsTheWritesAndReturnsTheResult() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try db.execute("CREATE TABLE t(x)")
            let id = try db.transaction {
                try db.run("INSERT INTO t VALUES ('kept')")
                #expect(db.isInTransaction)
                return db.lastInsertRowID
            }
            #expect(id == 1)
            #expect(!db.isInTransaction)
            let other = try Connection(path: "\(folder)/q.db")
            #expect(try other.query("SELECT x FROM t").map { $0[0] } == [.text("kept")])
        }
    }

    @Test func throwRollsBackAndRethrows() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(x)")
        #expect(throws: Refusal()) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (1)")
                try db.run("INSERT INTO t VALUES (2)")
                throw Refusal()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.query("SELECT count(*) FROM t").first?[0] == .integer(0))
    }

    @Test func failingStatementRollsBackEarlierOnes() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(x UNIQUE)")
        let error = #expect(throws: SQLiteError.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (1)")
                try db.run("INSERT INTO t VALUES (1)")
            }
        }
        #expect(error?.code == .constraint)
        #expect(try db.query("SELECT count(*) FROM t").first?[0] == .integer(0))
    }

    @Test func transactionsDoNotNest() throws {
        let db = try Connection(.memory)
        let error = #expect(throws: SQLiteError.self) {
            try db.transaction { try db.transaction {} }
        }
        #expect(error?.code == .error)
        #expect(!db.isInTransaction)
    }
}
