import SQLite
import Testing

@Suite struct StatementTests {
    static let roundTrips: [SQLiteValue] = [
        .null,
        .integer(0), .integer(-1), .integer(.max), .integer(.min),
        .real(3.25), .real(-0.5), .real(1e300),
        .text(""), .text("plain ASCII"), .text("Grüße, 日本語, emoji 🪨⛏️👩🏽‍💻"),
        .blob([]), .blob([0, 1, 2, 255, 0]), .blob(Array(0...255)),
    ]

    /// A column without a declared type keeps every value in the storage class it was bound with.
    @Test(arguments: roundTrips)
    func valueRoundTrips(value: SQLiteValue) throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(x)")
        try db.run("INSERT INTO t VALUES (?)", value)
        let row = try #require(try db.query("SELECT x, typeof(x) FROM t").first)
        #expect(row[0] == value)
        let expectedType = switch value {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        }
        #expect(row[1] == .text(expectedType))
    }

    @Test func swiftTypesBindAndReadBack() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(i INTEGER, n INTEGER, d REAL, s TEXT, b BLOB, z, flag INTEGER)")
        let text = "naïve 🦊 text"
        try db.run(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", Int64(-42), 7, 2.5, text, [UInt8]([9, 0, 8]), nil, true)

        let statement = try db.prepare("SELECT i, n, d, s, b, z, flag FROM t")
        #expect(statement.columnNames == ["i", "n", "d", "s", "b", "z", "flag"])
        #expect(try statement.step())
        #expect(statement.int64(at: 0) == -42)
        #expect(statement.int(at: 1) == 7)
        #expect(statement.double(at: 2) == 2.5)
        #expect(statement.string(at: 3) == text)
        #expect(statement.blob(at: 4) == [9, 0, 8])
        #expect(statement.isNull(at: 5))
        #expect(statement.int64(at: 5) == nil && statement.string(at: 5) == nil && statement.blob(at: 5) == nil)
        #expect(statement.int(at: 6) == 1)
        #expect(try !statement.step())
    }

    @Test func preparedStatementRunsAgainWithNewBindings() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE TABLE t(k TEXT, v INTEGER)")
        let insert = try db.prepare("INSERT INTO t VALUES (:k, :v)")
        for (key, value) in [("a", 1), ("b", 2), ("c", 3)] {
            insert.clearBindings()
            try insert.bind(key, named: ":k")
            try insert.bind(value, named: ":v")
            try insert.run()
        }
        let select = try db.prepare("SELECT k FROM t WHERE v >= ? ORDER BY v")
        try select.bind([2])
        var keys: [String] = []
        while let row = try select.next() { keys.append(row["k"].string ?? "?") }
        #expect(keys == ["b", "c"])
        try select.bind([3])
        #expect(try select.rows().map { $0["k"] } == [.text("c")])
    }

    @Test(arguments: [[], [1, 2], [1, 2, 3, 4]] as [[Int]])
    func wrongNumberOfBindingsIsARangeError(values: [Int]) throws {
        let db = try Connection(.memory)
        let error = #expect(throws: SQLiteError.self) {
            try db.query("SELECT ?, ?, ?", bindings: values.map { $0 as (any SQLiteBindable)? })
        }
        #expect(error?.code == .range)
    }

    @Test func unknownParameterNameIsARangeError() throws {
        let db = try Connection(.memory)
        let statement = try db.prepare("SELECT :a")
        let error = #expect(throws: SQLiteError.self) { try statement.bind(1, named: ":b") }
        #expect(error?.code == .range)
    }

    @Test(arguments: [
        ("INSERT INTO item(id, name) VALUES (1, 'again')", SQLiteError.Code.constraintPrimaryKey),
        ("INSERT INTO item(id, name) VALUES (2, 'first')", .constraintUnique),
        ("INSERT INTO item(id, name) VALUES (3, NULL)", .constraintNotNull),
        ("INSERT INTO item(id, name, size) VALUES (4, 'x', -1)", .constraintCheck),
        ("INSERT INTO part(item) VALUES (99)", .constraintForeignKey),
    ])
    func constraintViolationSurfacesAsConstraint(sql: String, extended: SQLiteError.Code) throws {
        let db = try Connection(.memory)
        try db.execute("""
            CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER CHECK (size >= 0));
            CREATE TABLE part(item INTEGER REFERENCES item(id));
            INSERT INTO item(id, name) VALUES (1, 'first');
            """)
        let error = #expect(throws: SQLiteError.self) { try db.run(sql) }
        #expect(error?.code == .constraint)
        #expect(error?.extendedCode == extended)
        #expect(error?.sql == sql)
        #expect(error?.message.contains("constraint failed") == true)
    }
}
