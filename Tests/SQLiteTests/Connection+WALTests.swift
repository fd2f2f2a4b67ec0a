import TestSupport
import SQLite
import Testing

@Suite struct ConnectionWALTests {
    @Test(arguments: [nil, 16384, 65536] as [Int?])
    func newDatabaseGetsThePageSizeAskedFor(pageSize: Int?) throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db", pageSize: pageSize)
            try db.execute("CREATE TABLE t(x)")
            #expect(try db.pageSize == pageSize ?? 4096)
            #expect(try db.query("PRAGMA journal_mode").first?[0] == .text("wal"))
        }
    }

    @Test func existingDatabaseKeepsItsPageSize() throws {
        try withTemporaryDirectory { folder in
            try Connection(path: "\(folder)/q.db").execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
            let db = try Connection(path: "\(folder)/q.db", pageSize: 16384)
            #expect(try db.pageSize == 4096)
            #expect(try db.query("SELECT x FROM t").first?[0] == .integer(1))
        }
    }

    @Test func hookHearsEveryCommitAndSQLiteNoLongerCheckpoints() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try db.execute("CREATE TABLE t(x)")
            var heard: [Int] = []
            try db.onCommit(walFrames: { frames in heard.append(frames); return false })
            // Each commit of a 64 KB blob adds about 16 pages; 100 of them pass SQLite's 1,000-page checkpoint.
            for _ in 0..<100 { try db.run("INSERT INTO t VALUES (?)", [UInt8](repeating: 7, count: 65536)) }
            #expect(heard.count == 100)
            #expect(heard == heard.sorted() && heard.last! > 1000)
            let (frames, checkpointed) = try db.checkpoint(.passive)
            #expect(frames == heard.last && checkpointed == frames)
        }
    }

    @Test func hookThatAsksForACheckpointGetsOneOnTheCommittingConnection() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try db.execute("CREATE TABLE t(x)")
            try db.onCommit(walFrames: { frames in frames >= 50 })
            for _ in 0..<10 { try db.run("INSERT INTO t VALUES (?)", [UInt8](repeating: 7, count: 65536)) }
            // A checkpoint ran at the commit that passed 50 frames: the file holds the pages, and the next write
            // started the log over.
            let reader = try Connection(path: "\(folder)/q.db")
            #expect(try reader.query("SELECT count(*) FROM t").first?[0] == .integer(10))
            let (frames, _) = try db.checkpoint(.passive)
            #expect(frames < 50)
        }
    }

    @Test func removingTheHookRestoresAutomaticCheckpoints() throws {
        try withTemporaryDirectory { folder in
            let db = try Connection(path: "\(folder)/q.db")
            try db.onCommit(walFrames: { _ in false })
            try db.onCommit(walFrames: nil)
            #expect(try db.query("PRAGMA wal_autocheckpoint").first?[0] == .integer(1000))
        }
    }

    @Test func checkpointOfAnInMemoryDatabaseCopiesNothing() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        let (frames, checkpointed) = try db.checkpoint(.truncate)
        #expect(frames == 0 && checkpointed == 0)
    }
}
