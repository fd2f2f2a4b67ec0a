/// One value read from or sent to PostgreSQL, in the few shapes Quarry stores.
///
/// Results are read as text and turned into a case by the column's type: `int2`, `int4`, `int8` and `oid` give
/// `.integer`; `float4` and `float8` `.real`; `bool` `.boolean`; `bytea` `.bytes`; every other type (`numeric`,
/// `timestamptz`, `json`…) its text, as `.text`.
public enum PostgresValue: Sendable, Hashable {
    /// `NULL`.
    case null
    /// A 64-bit signed integer (`int8`; smaller integer columns read as this too).
    case integer(Int64)
    /// A double (`float8`; `float4` columns read as this too).
    case real(Double)
    /// A `bool`.
    case boolean(Bool)
    /// UTF-8 text (PostgreSQL text never holds a NUL character).
    case text(String)
    /// A `bytea`'s bytes.
    case bytes([UInt8])

    /// Whether this is `NULL`.
    public var isNull: Bool { self == .null }

    /// The integer, or nil for any other case (no conversion).
    public var int64: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The integer as an `Int`, or nil for any other case or a value `Int` cannot hold.
    public var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The real, or the integer converted to `Double`; nil for any other case.
    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The boolean, or nil for any other case.
    public var bool: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    /// The text, or nil for any other case (no conversion).
    public var string: String? {
        if case .text(let value) = self { value } else { nil }
    }

    /// The bytes, or nil for any other case (no conversion).
    public var bytes: [UInt8]? {
        if case .bytes(let value) = self { value } else { nil }
    }
}

/// A Swift value that binds to a statement parameter (`$1`, `$2`…): `Int64`, `Int`, `Int32`, `Double`, `Bool`,
/// `String`, `[UInt8]` (a `bytea`) and `PostgresValue` itself. Pass `nil` (as `(any PostgresBindable)?`) for `NULL`.
public protocol PostgresBindable: Sendable {
    /// The value sent.
    var postgresValue: PostgresValue { get }
}

extension PostgresValue: PostgresBindable {
    /// The value itself.
    public var postgresValue: PostgresValue { self }
}

extension Int64: PostgresBindable {
    /// `.integer(self)`.
    public var postgresValue: PostgresValue { .integer(self) }
}

extension Int: PostgresBindable {
    /// `.integer(Int64(self))`.
    public var postgresValue: PostgresValue { .integer(Int64(self)) }
}

extension Int32: PostgresBindable {
    /// `.integer(Int64(self))`.
    public var postgresValue: PostgresValue { .integer(Int64(self)) }
}

extension Bool: PostgresBindable {
    /// `.boolean(self)`.
    public var postgresValue: PostgresValue { .boolean(self) }
}

extension Double: PostgresBindable {
    /// `.real(self)`.
    public var postgresValue: PostgresValue { .real(self) }
}

extension String: PostgresBindable {
    /// `.text(self)`.
    public var postgresValue: PostgresValue { .text(self) }
}

extension Array: PostgresBindable where Element == UInt8 {
    /// `.bytes(self)`.
    public var postgresValue: PostgresValue { .bytes(self) }
}
