/// One result row, copied out of libpq's result: its column names and values.
///
///     let row = try connection.query("SELECT id, title FROM threads WHERE id = $1", id).first
///     let title = row?["title"].string
public struct PostgresRow: Sendable, Hashable {
    /// The result columns' names, in order (`PQfname`).
    public let columnNames: [String]
    /// The values, in column order.
    public let values: [PostgresValue]

    /// A row of `values` under `columnNames` (the two must have the same count).
    public init(columnNames: [String], values: [PostgresValue]) {
        precondition(columnNames.count == values.count, "a row needs one name per value")
        self.columnNames = columnNames
        self.values = values
    }

    /// The number of columns.
    public var count: Int { values.count }

    /// The value of the column at 0-based `index`.
    public subscript(index: Int) -> PostgresValue { values[index] }

    /// The value of the first column called `name` (as PostgreSQL names it: unquoted names are lower case).
    /// Asking for a column the query does not return is a programming error and traps.
    public subscript(name: String) -> PostgresValue {
        guard let index = columnNames.firstIndex(of: name) else {
            preconditionFailure("no column \"\(name)\" in a row of \(columnNames)")
        }
        return values[index]
    }
}
