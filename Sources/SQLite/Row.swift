/// One result row, copied out of the statement: its column names and values.
///
///     let row = try connection.query("SELECT id, title FROM threads WHERE id = ?", id).first
///     let title = row?["title"].string
public struct Row: Sendable, Hashable {
    /// The result columns' names, in order (`sqlite3_column_name`).
    public let columnNames: [String]
    /// The values, in column order.
    public let values: [SQLiteValue]

    /// A row of `values` under `columnNames` (the two must have the same count).
    public init(columnNames: [String], values: [SQLiteValue]) {
        precondition(columnNames.count == values.count, "a row needs one name per value")
        self.columnNames = columnNames
        self.values = values
    }

    /// The number of columns.
    public var count: Int { values.count }

    /// The value of the column at 0-based `index`.
    public subscript(index: Int) -> SQLiteValue { values[index] }

    /// The value of the first column called `name` (as written in the query, or its `AS` alias).
    /// Asking for a column the query does not return is a programming error and traps.
    public subscript(name: String) -> SQLiteValue {
        guard let index = columnNames.firstIndex(of: name) else {
            preconditionFailure("no column \"\(name)\" in a row of \(columnNames)")
        }
        return values[index]
    }
}
