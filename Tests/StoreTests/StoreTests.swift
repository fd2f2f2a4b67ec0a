import TestSupport
import SQLite
import Store
import Testing

@Suite struct StoreTests {
    @Test func newFileIsCreatedAndMigrated() throws {
        try withTemporaryDirectory { folder in
            _ = try Store(path: "\(folder)/quarry.db")
            let db = try Connection(path: "\(folder)/quarry.db")
            #expect(try db.query("PRAGMA user_version").first?[0].int == Store.migrations.count)
            #expect(try db.query("PRAGMA journal_mode").first?[0] == .text("wal"))
            let columns = try db.query("SELECT name, type, \"notnull\" FROM pragma_table_info('settings') ORDER BY cid")
            #expect(columns.map { $0.values } == [
                [.text("key"), .text("TEXT"), .integer(1)],
                [.text("value"), .text("BLOB"), .integer(1)],
            ])
        }
    }

    @Test func settingsRoundTripAndSurviveReopen() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            #expect(try store.setting("theme") == nil)
            try store.setSetting("theme", Array("dark".utf8))
            try store.setSetting("theme", Array("light".utf8))
            try store.setSetting("empty", [])
            #expect(try Store(path: "\(folder)/quarry.db").setting("theme") == Array("light".utf8))
            #expect(try store.setting("empty") == [])
        }
    }

    @Test func databaseFromANewerQuarryIsRefusedAndLeftAlone() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            _ = try Store(path: path)
            try Connection(path: path).execute("PRAGMA user_version = 99")
            let error = #expect(throws: StoreError.self) { try Store(path: path) }
            #expect(error == .newerDatabase(path: path, version: 99, supported: Store.migrations.count))
            #expect(error?.description.contains("written by a newer version of Quarry") == true)
            #expect(try Connection(path: path).query("PRAGMA user_version").first?[0] == .integer(99))
        }
    }

    @Test func missingFolderGivesAClearError() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/no/such/folder/quarry.db"
            let error = #expect(throws: StoreError.self) { try Store(path: path) }
            guard case .cannotOpen(let reportedPath, let cause) = error else {
                Issue.record("expected .cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(reportedPath == path)
            #expect(cause.code == .cantOpen)
            #expect(error?.cause == cause)
            #expect(error?.description == """
                The database file at \(path) could not be opened: unable to open database file. \
                Check that the folder exists and that Quarry may write to it.
                """)
            #expect(error?.logDescription.contains("SQLite error 14") == true)
        }
    }

    @Test func fileThatIsNotADatabaseGivesAClearError() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/notes.txt"
            try writeFile(path, Array(repeating: UInt8(ascii: "x"), count: 4096))
            let error = #expect(throws: StoreError.self) { try Store(path: path) }
            #expect(error?.cause?.code == .notADatabase)
            #expect(error?.description.contains("is not a Quarry database") == true)
        }
    }
}
