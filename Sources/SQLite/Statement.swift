/// A prepared statement on one `Connection`, finalized in `deinit` (`sqlite3_finalize`).
///
/// It keeps its connection open and follows the connection's threading rule (see `SQLite.swift`). Parameter
/// indexes are 1-based and column indexes 0-based, as in SQLite's C API.
///
///     let statement = try connection.prepare("SELECT id, title FROM threads WHERE owner = ?")
///     try statement.bind(["alice"])
///     while let row = try statement.next() { … }
public final class Statement {
    /// The SQL text it was prepared from.
    public let sql: String
    /// The result columns' names (`sqlite3_column_name`); empty for statements that return no rows.
    public let columnNames: [String]

    let connection: Connection
    private let handle: OpaquePointer

    init(_ connection: Connection, sql: String) throws(SQLiteError) {
        let handle = try Raw.prepare(connection.handle, sql)
        self.handle = handle
        self.connection = connection
        self.sql = sql
        columnNames = (0..<Raw.columnCount(handle)).map { Raw.columnName(handle, $0) }
    }

    deinit { Raw.finalize(handle) }

    // MARK: Parameters

    /// The number of parameters (`?`, `?NNN`, `:name`…) in the SQL (`sqlite3_bind_parameter_count`).
    public var parameterCount: Int { Raw.parameterCount(handle) }

    /// Binds one value, or `NULL` for nil, to the 1-based parameter `index` (`sqlite3_bind_int64`, `_double`,
    /// `_text64`, `_blob64`, `_zeroblob` or `_null`). Text and blobs are copied (`SQLITE_TRANSIENT`).
    /// - Throws: `.range` for an index outside `1...parameterCount`.
    public func bind(_ value: (any SQLiteBindable)?, at index: Int) throws(SQLiteError) {
        try Raw.bind(value.sqliteValue, at: index, handle, connection.handle, sql: sql)
    }

    /// Binds one value, or `NULL` for nil, to the named parameter `name`, written with its prefix (`":key"`)
    /// (`sqlite3_bind_parameter_index`, then as `bind(_:at:)`).
    /// - Throws: `.range` when the SQL has no parameter of that name.
    public func bind(_ value: (any SQLiteBindable)?, named name: String) throws(SQLiteError) {
        guard let index = Raw.parameterIndex(handle, name) else {
            throw SQLiteError(code: .range, message: "the SQL has no parameter named \(name)", sql: sql)
        }
        try bind(value, at: index)
    }

    /// Resets the statement and binds `values` to its parameters in order (`sqlite3_reset`,
    /// `sqlite3_clear_bindings`, then as `bind(_:at:)`).
    /// - Throws: `.range` unless there is exactly one value per parameter.
    public func bind(_ values: [(any SQLiteBindable)?]) throws(SQLiteError) {
        guard values.count == parameterCount else {
            throw SQLiteError(
                code: .range, message: "the SQL has \(parameterCount) parameters but \(values.count) values were given",
                sql: sql)
        }
        reset()
        clearBindings()
        for (offset, value) in values.enumerated() {
            try bind(value, at: offset + 1)
        }
    }

    /// Sets every parameter back to `NULL` (`sqlite3_clear_bindings`).
    public func clearBindings() { Raw.clearBindings(handle) }

    /// Rewinds the statement so it can run again, keeping its bindings (`sqlite3_reset`).
    public func reset() { Raw.reset(handle) }

    // MARK: Running

    /// Runs the statement up to its next row (`sqlite3_step`): true when a row is ready to read, false when done.
    /// - Throws: the step's error, e.g. `.busy` or `.constraint`.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        try Raw.step(handle, connection.handle, sql: sql)
    }

    /// The next row, or nil once the statement is done (`sqlite3_step`, then the column readers): a row cursor.
    public func next() throws(SQLiteError) -> Row? {
        try step() ? row : nil
    }

    /// Steps to the end, discarding any rows (`sqlite3_step` until `SQLITE_DONE`), then resets.
    public func run() throws(SQLiteError) {
        defer { reset() }
        while try step() {}
    }

    /// Every remaining row (`sqlite3_step` until `SQLITE_DONE`), then resets.
    public func rows() throws(SQLiteError) -> [Row] {
        defer { reset() }
        var rows: [Row] = []
        while let row = try next() { rows.append(row) }
        return rows
    }

    // MARK: Columns of the current row

    /// The current row, copied (`sqlite3_column_type` and the matching `sqlite3_column_*`).
    public var row: Row {
        Row(columnNames: columnNames, values: columnNames.indices.map { value(at: $0) })
    }

    /// The column's value in its stored type (`sqlite3_column_type`, then the matching `sqlite3_column_*`).
    public func value(at index: Int) -> SQLiteValue { Raw.columnValue(handle, index) }

    /// Whether the column is `NULL` (`sqlite3_column_type`).
    public func isNull(at index: Int) -> Bool { Raw.columnIsNull(handle, index) }

    /// The column as an integer, converted by SQLite's rules; nil for `NULL` (`sqlite3_column_int64`).
    public func int64(at index: Int) -> Int64? {
        isNull(at: index) ? nil : Raw.columnInt64(handle, index)
    }

    /// The column as an `Int`, converted by SQLite's rules; nil for `NULL` or a value `Int` cannot hold
    /// (`sqlite3_column_int64`).
    public func int(at index: Int) -> Int? { int64(at: index).flatMap { Int(exactly: $0) } }

    /// The column as a double, converted by SQLite's rules; nil for `NULL` (`sqlite3_column_double`).
    public func double(at index: Int) -> Double? {
        isNull(at: index) ? nil : Raw.columnDouble(handle, index)
    }

    /// The column as UTF-8 text, converted by SQLite's rules; nil for `NULL` (`sqlite3_column_text`).
    public func string(at index: Int) -> String? { Raw.columnText(handle, index) }

    /// The column's bytes; nil for `NULL`, `[]` for an empty blob (`sqlite3_column_blob`).
    public func blob(at index: Int) -> [UInt8]? { Raw.columnBlob(handle, index) }
}
