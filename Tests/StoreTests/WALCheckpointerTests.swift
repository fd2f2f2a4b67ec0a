import TestSupport
import SQLite
import Store
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WALCheckpointerTests {
    @Test func newDatabaseHasEightKiBPagesAndAnOldOneKeepsItsOwn() throws {
        try withTemporaryDirectory { folder in
            _ = try Store(path: "\(folder)/new.db")
            #expect(try Connection(path: "\(folder)/new.db").pageSize == 8192)
            try Connection(path: "\(folder)/old.db").execute("CREATE TABLE t(x)")
            _ = try Store(path: "\(folder)/old.db")
            #expect(try Connection(path: "\(folder)/old.db").pageSize == 4096)
        }
    }

    /// The writer's commits only wake the checkpointer: the pages reach the database file while nobody but the
    /// checkpointer's own connection checkpoints (SQLite's automatic checkpoint is off for the writer).
    @Test func commitsReachTheDatabaseFileWithoutTheWriterCheckpointing() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            let store = try Store(path: path)
            let before = fileSize(path)
            // 6 MB of log: past the 4 MB that wakes the checkpointer, short of the 32 MB where the writer would
            // checkpoint itself.
            for index in 0..<24 { try store.setSetting("blob \(index)", [UInt8](repeating: UInt8(index), count: 256 << 10)) }
            var waited = 0
            while fileSize(path) < before + (4 << 20), waited < 100 {
                usleep(50_000)
                waited += 1
            }
            #expect(fileSize(path) >= before + (4 << 20))
            #expect(try Store(path: path).setting("blob 23") == [UInt8](repeating: 23, count: 256 << 10))
        }
    }

    @Test func manyStoresOnOneFileTakeTurnsCheckpointing() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            let stores = try (0..<3).map { _ in try Store(path: path) }
            for round in 0..<8 {
                for (index, store) in stores.enumerated() {
                    try store.setSetting("s\(index)", [UInt8](repeating: UInt8(round), count: 512 << 10))
                }
            }
            for index in stores.indices { #expect(try stores[0].setting("s\(index)") == [UInt8](repeating: 7, count: 512 << 10)) }
            #expect(try Connection(path: path).query("PRAGMA integrity_check").first?[0] == .text("ok"))
        }
    }

    private func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
