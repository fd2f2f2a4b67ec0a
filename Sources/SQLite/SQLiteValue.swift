/// One SQLite value in one of its five storage classes.
public enum SQLiteValue: Sendable, Hashable {
    /// `NULL`.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes.
    case blob([UInt8])

    /// Whether this is `NULL`.
    public var isNull: Bool { self == .null }

    /// The integer, or nil for any other storage class (no conversion).
    public var int64: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The integer as an `Int`, or nil for any other storage class or a value `Int` cannot hold.
    public var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The real, or the integer converted to `Double`; nil for any other storage class.
    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The text, or nil for any other storage class (no conversion).
    public var string: String? {
        if case .text(let value) = self { value } else { nil }
    }

    /// The blob's bytes, or nil for any other storage class (no conversion).
    public var blob: [UInt8]? {
        if case .blob(let value) = self { value } else { nil }
    }
}

/// A Swift value that binds to a statement parameter: `Int64`, `Int`, `Int32`, `Double`, `Bool` (0 or 1),
/// `String`, `[UInt8]` (a blob) and `SQLiteValue` itself. Pass `nil` (as `(any SQLiteBindable)?`) for `NULL`.
public protocol SQLiteBindable: Sendable {
    /// The value SQLite stores.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    /// The value itself.
    public var sqliteValue: SQLiteValue { self }
}

extension Int64: SQLiteBindable {
    /// `.integer(self)`.
    public var sqliteValue: SQLiteValue { .integer(self) }
}

extension Int: SQLiteBindable {
    /// `.integer(Int64(self))`.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int32: SQLiteBindable {
    /// `.integer(Int64(self))`.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Bool: SQLiteBindable {
    /// `.integer(1)` for true, `.integer(0)` for false, as SQLite stores booleans.
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}

extension Double: SQLiteBindable {
    /// `.real(self)`.
    public var sqliteValue: SQLiteValue { .real(self) }
}

extension String: SQLiteBindable {
    /// `.text(self)`.
    public var sqliteValue: SQLiteValue { .text(self) }
}

extension Array: SQLiteBindable where Element == UInt8 {
    /// `.blob(self)`.
    public var sqliteValue: SQLiteValue { .blob(self) }
}

extension Optional where Wrapped == any SQLiteBindable {
    /// The wrapped value's `SQLiteValue`, or `.null` for nil.
    var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}
