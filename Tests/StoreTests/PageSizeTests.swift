import TestSupport
import SQLite
import Store
import Testing

@Suite struct PageSizeTests {
    @Test func newDatabaseHasEightKiBPagesAndAnOldOneKeepsItsOwn() throws {
        try withTemporaryDirectory { folder in
            _ = try Store(path: "\(folder)/new.db")
            #expect(try Connection(path: "\(folder)/new.db").pageSize == 8192)
            try Connection(path: "\(folder)/old.db").execute("CREATE TABLE t(x)")
            _ = try Store(path: "\(folder)/old.db")
            #expect(try Connection(path: "\(folder)/old.db").pageSize == 4096)
        }
    }
}
