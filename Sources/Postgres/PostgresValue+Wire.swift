// How values cross libpq: parameters go as text, except `bytea`, which goes in binary (its bytes as they are, NULs
// and all, with no doubling into hex); results come back as text and are read by their column's type, a `bytea`
// from its hex form (`\x` and two digits a byte, which this module asks for with `bytea_output = 'hex'`).
//
// Why text results rather than binary: one format for every column, read the same way `psql` shows it, and no
// dependence on each type's binary layout (`numeric`, `timestamptz`…). Its one cost is a `bytea` arriving twice its
// size, which Quarry's stored blobs (vectors of a few KiB) can afford.
//
// Integers, doubles and booleans are sent typed (`int8`, `float8`, `bool`), so `SELECT $1` reads back what was
// bound and a comparison with an `int4` column works; a function whose argument is `int4` wants a cast
// (`pg_terminate_backend($1::int4)`), since PostgreSQL does not narrow `int8` implicitly there.

/// One parameter as `PQexecParams` takes it: a type OID (0: the server infers it), text or binary, and its bytes.
struct Parameter {
    let type: UInt32
    let isBinary: Bool
    /// Text parameters end with a NUL: libpq reads them as C strings.
    let bytes: [UInt8]
}

/// PostgreSQL's type OIDs (pg_type.dat) that this module names.
enum TypeOID {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let oid: UInt32 = 26
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
}

extension PostgresValue {
    /// The parameter for this value; nil for `NULL`. Text is sent with no type (the server infers it from where the
    /// parameter stands, as it does for a quoted literal), so one can bind a `timestamptz` or `jsonb` as text.
    /// - Throws: `ParameterMistake` for text holding a NUL, which PostgreSQL cannot store.
    func parameter() throws(ParameterMistake) -> Parameter? {
        switch self {
        case .null: return nil
        case .integer(let value): return Parameter(type: TypeOID.int8, isBinary: false, bytes: Array("\(value)".utf8) + [0])
        case .real(let value):
            // Swift writes the shortest text that reads back as the same double; PostgreSQL reads "inf", "-inf", "nan".
            return Parameter(type: TypeOID.float8, isBinary: false, bytes: Array("\(value)".utf8) + [0])
        case .boolean(let value): return Parameter(type: TypeOID.bool, isBinary: false, bytes: Array((value ? "t" : "f").utf8) + [0])
        case .text(let value):
            let bytes = Array(value.utf8)
            guard !bytes.contains(0) else { throw ParameterMistake() }
            return Parameter(type: 0, isBinary: false, bytes: bytes + [0])
        case .bytes(let value): return Parameter(type: TypeOID.bytea, isBinary: true, bytes: value)
        }
    }

    /// The value of a result cell of type `type`, from its text form.
    init(type: UInt32, text: UnsafeRawBufferPointer) {
        switch type {
        case TypeOID.int8, TypeOID.int2, TypeOID.int4, TypeOID.oid:
            if let value = Int64(Self.string(text)) { self = .integer(value) } else { self = .text(Self.string(text)) }
        case TypeOID.float8, TypeOID.float4:
            if let value = Double(Self.string(text)) { self = .real(value) } else { self = .text(Self.string(text)) }
        case TypeOID.bool:
            self = .boolean(text.first == UInt8(ascii: "t"))
        case TypeOID.bytea:
            self = Self.hexBytes(text).map { .bytes($0) } ?? .text(Self.string(text))
        default:
            self = .text(Self.string(text))
        }
    }

    private static func string(_ text: UnsafeRawBufferPointer) -> String {
        String(decoding: text, as: UTF8.self)
    }

    /// The bytes of `bytea`'s hex output (`\x0aff…`); nil if `text` is not in that form.
    private static func hexBytes(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        guard text.count >= 2, text.count % 2 == 0, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x")
        else { return nil }
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes = [UInt8](repeating: 0, count: text.count / 2 - 1)
        var index = 2
        for position in bytes.indices {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            bytes[position] = high << 4 | low
            index += 2
        }
        return bytes
    }
}

/// A text parameter held a NUL character.
struct ParameterMistake: Error {}
