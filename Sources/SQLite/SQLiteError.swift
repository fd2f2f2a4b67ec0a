// Only the result-code constants come from the C module here; the calls are in `Raw.swift`.
internal import CSQLite

/// A failed libsqlite3 call: its result code, extended result code and message, and the SQL it was running.
///
/// Match on the primary code:
///
///     catch let error as SQLiteError where error.code == .busy { … }
///     catch SQLiteError.Code.constraint { … }
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`…): the low 8 bits of `extendedCode`.
    public var code: Code
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`…), equal to `code` when SQLite gives no detail.
    public var extendedCode: Code
    /// SQLite's message (`sqlite3_errmsg`), e.g. `"UNIQUE constraint failed: settings.key"`.
    public var message: String
    /// The SQL being prepared or run, when the failure came from one.
    public var sql: String?

    /// An error with the given codes and message; `extendedCode` defaults to `code`.
    public init(code: Code, extendedCode: Code? = nil, message: String, sql: String? = nil) {
        self.code = code.primary
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// One line for the log: codes, message and SQL.
    public var description: String {
        var text = "SQLite error \(extendedCode.rawValue) (\(extendedCode)): \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }
}

extension SQLiteError {
    /// A SQLite result code, primary (`SQLITE_BUSY`) or extended (`SQLITE_BUSY_SNAPSHOT`).
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The C value, e.g. 5 for `SQLITE_BUSY`.
        public var rawValue: Int32

        /// The code with C value `rawValue`.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ value: Int32) { rawValue = value }

        /// The primary code of an extended code (its low 8 bits); a primary code is its own primary.
        public var primary: Code { Code(rawValue & 0xFF) }

        /// SQLite's English name for the code (`sqlite3_errstr`), e.g. `"database is locked"`.
        public var description: String { Raw.errorString(rawValue) }

        /// Matches a thrown `SQLiteError` by primary code, so `catch SQLiteError.Code.busy` works.
        public static func ~= (pattern: Code, error: any Error) -> Bool {
            (error as? SQLiteError)?.code == pattern.primary
        }

        /// `SQLITE_ERROR`: a generic error, such as an SQL syntax error or a missing table.
        public static let error = Code(SQLITE_ERROR)
        /// `SQLITE_INTERNAL`.
        public static let `internal` = Code(SQLITE_INTERNAL)
        /// `SQLITE_PERM`: the file's access mode forbids it.
        public static let permission = Code(SQLITE_PERM)
        /// `SQLITE_ABORT`.
        public static let abort = Code(SQLITE_ABORT)
        /// `SQLITE_BUSY`: another connection holds the lock for longer than the busy timeout.
        public static let busy = Code(SQLITE_BUSY)
        /// `SQLITE_LOCKED`: a conflict inside this same connection (or shared cache).
        public static let locked = Code(SQLITE_LOCKED)
        /// `SQLITE_NOMEM`.
        public static let noMemory = Code(SQLITE_NOMEM)
        /// `SQLITE_READONLY`: the file or folder cannot be written.
        public static let readOnly = Code(SQLITE_READONLY)
        /// `SQLITE_INTERRUPT`.
        public static let interrupt = Code(SQLITE_INTERRUPT)
        /// `SQLITE_IOERR`: the operating system reported an I/O error.
        public static let ioError = Code(SQLITE_IOERR)
        /// `SQLITE_CORRUPT`: the database file is damaged.
        public static let corrupt = Code(SQLITE_CORRUPT)
        /// `SQLITE_FULL`: the disk is full.
        public static let full = Code(SQLITE_FULL)
        /// `SQLITE_CANTOPEN`: the file cannot be opened (missing folder, no permission).
        public static let cantOpen = Code(SQLITE_CANTOPEN)
        /// `SQLITE_SCHEMA`.
        public static let schema = Code(SQLITE_SCHEMA)
        /// `SQLITE_TOOBIG`: a string or blob is larger than SQLite's limit.
        public static let tooBig = Code(SQLITE_TOOBIG)
        /// `SQLITE_CONSTRAINT`: a UNIQUE, NOT NULL, CHECK, PRIMARY KEY or FOREIGN KEY constraint failed.
        public static let constraint = Code(SQLITE_CONSTRAINT)
        /// `SQLITE_MISMATCH`: a datatype mismatch.
        public static let mismatch = Code(SQLITE_MISMATCH)
        /// `SQLITE_MISUSE`: the API was used wrongly (also thrown for SQL text holding no or several statements).
        public static let misuse = Code(SQLITE_MISUSE)
        /// `SQLITE_RANGE`: a parameter index out of range, or the wrong number of bound values.
        public static let range = Code(SQLITE_RANGE)
        /// `SQLITE_NOTADB`: the file is not a SQLite database.
        public static let notADatabase = Code(SQLITE_NOTADB)

        // Swift cannot import the extended-code macros (`SQLITE_CONSTRAINT | (8<<8)`): the values from sqlite3.h.

        /// `SQLITE_CONSTRAINT_UNIQUE` (extended).
        public static let constraintUnique = Code(SQLITE_CONSTRAINT | 8 << 8)
        /// `SQLITE_CONSTRAINT_PRIMARYKEY` (extended).
        public static let constraintPrimaryKey = Code(SQLITE_CONSTRAINT | 6 << 8)
        /// `SQLITE_CONSTRAINT_NOTNULL` (extended).
        public static let constraintNotNull = Code(SQLITE_CONSTRAINT | 5 << 8)
        /// `SQLITE_CONSTRAINT_FOREIGNKEY` (extended).
        public static let constraintForeignKey = Code(SQLITE_CONSTRAINT | 3 << 8)
        /// `SQLITE_CONSTRAINT_CHECK` (extended).
        public static let constraintCheck = Code(SQLITE_CONSTRAINT | 1 << 8)
        /// `SQLITE_BUSY_SNAPSHOT` (extended): a WAL read transaction cannot be upgraded to a write.
        public static let busySnapshot = Code(SQLITE_BUSY | 2 << 8)
    }
}
