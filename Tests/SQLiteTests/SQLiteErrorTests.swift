import SQLite
import Testing

@Suite struct SQLiteErrorTests {
    @Test(arguments: [
        (SQLiteError.Code.constraintUnique, SQLiteError.Code.constraint, 2067 as Int32),
        (.constraintForeignKey, .constraint, 787),
        (.busySnapshot, .busy, 517),
        (.busy, .busy, 5),
        (.corrupt, .corrupt, 11),
    ])
    func extendedCodesHaveTheirPrimary(extended: SQLiteError.Code, primary: SQLiteError.Code, raw: Int32) {
        #expect(extended.rawValue == raw)
        #expect(extended.primary == primary)
        #expect(SQLiteError(code: extended, message: "m").code == primary)
        #expect(SQLiteError(code: extended, message: "m").extendedCode == extended)
    }

    @Test func descriptionNamesCodeMessageAndSQL() {
        let error = SQLiteError(code: .busy, message: "database is locked", sql: "BEGIN IMMEDIATE")
        #expect(error.description == "SQLite error 5 (database is locked): database is locked [SQL: BEGIN IMMEDIATE]")
    }

    @Test func catchMatchesOnPrimaryCode() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(x UNIQUE); INSERT INTO t VALUES (1)")
        let matched: String
        do {
            try db.run("INSERT INTO t VALUES (1)")
            matched = "nothing thrown"
        } catch SQLiteError.Code.busy {
            matched = "busy"
        } catch SQLiteError.Code.constraint {
            matched = "constraint"
        } catch {
            matched = "other"
        }
        #expect(matched == "constraint")
    }

    @Test func libraryHasFTS5() throws {
        #expect(SQLiteLibrary.version.hasPrefix("3."))
        let db = try Connection(.memory)
        #expect(try db.query("SELECT sqlite_compileoption_used('ENABLE_FTS5')").first?[0] == .integer(1))
    }
}
