/// A failure to reach PostgreSQL or of a statement it ran: what kind, the SQLSTATE the server gave, a sentence a
/// person can read, and the raw cause for the log.
///
/// Match on the SQLSTATE, or ask the error what it means:
///
///     catch PostgresError.SQLState.uniqueViolation { … }
///     catch let error as PostgresError where error.isRetryable { … run the transaction again … }
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where it failed.
    public enum Kind: Sendable, Hashable {
        /// libpq is not installed (or lacks a function): nothing PostgreSQL can work.
        case unavailable
        /// The database URL is not one libpq accepts.
        case configuration
        /// Connecting failed: refused, timed out, the password or the database refused.
        case connection
        /// The connection broke while a statement ran; the next use of the connection reconnects.
        case connectionLost
        /// The server refused or cancelled a statement; `sqlState` says why.
        case statement
    }

    /// Where it failed.
    public var kind: Kind
    /// The server's SQLSTATE for a failed statement (`23505`…); nil when it did not get that far.
    public var sqlState: SQLState?
    /// One sentence for a person: "PostgreSQL at 127.0.0.1:5433 refused the connection".
    public var message: String
    /// libpq's or the server's own words, for the log (never the password).
    public var cause: String?
    /// The SQL being run, when the failure came from one.
    public var sql: String?

    /// An error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String, sqlState: SQLState? = nil, cause: String? = nil, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.cause = cause
        self.sql = sql
    }

    /// A unique constraint refused a duplicate (`23505`).
    public var isUniqueViolation: Bool { sqlState == .uniqueViolation }

    /// Running the same transaction again may succeed: a serialization failure (`40001`) or a deadlock (`40P01`).
    public var isRetryable: Bool { sqlState == .serializationFailure || sqlState == .deadlockDetected }

    /// The statement ran past the statement timeout, or was cancelled (`57014`).
    public var isCancelled: Bool { sqlState == .queryCanceled }

    /// One line for the log: the sentence, the SQLSTATE, the cause and the SQL.
    public var description: String {
        var text = message
        if let sqlState { text += " [SQLSTATE \(sqlState.rawValue)]" }
        if let cause, !cause.isEmpty, cause != message { text += " (\(cause))" }
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }
}

extension PostgresError {
    /// A five-character SQLSTATE code (PostgreSQL's Appendix A, "Error Codes").
    public struct SQLState: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The code, e.g. `"23505"`.
        public var rawValue: String

        /// The code `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The code itself.
        public var description: String { rawValue }

        /// Matches a thrown `PostgresError` by SQLSTATE, so `catch PostgresError.SQLState.uniqueViolation` works.
        public static func ~= (pattern: SQLState, error: any Error) -> Bool {
            (error as? PostgresError)?.sqlState == pattern
        }

        /// The same match where the thrown type is known (a `do` whose calls throw `PostgresError` only).
        public static func ~= (pattern: SQLState, error: PostgresError) -> Bool {
            error.sqlState == pattern
        }

        /// `23505 unique_violation`.
        public static let uniqueViolation = SQLState(rawValue: "23505")
        /// `23503 foreign_key_violation`.
        public static let foreignKeyViolation = SQLState(rawValue: "23503")
        /// `23502 not_null_violation`.
        public static let notNullViolation = SQLState(rawValue: "23502")
        /// `23514 check_violation`.
        public static let checkViolation = SQLState(rawValue: "23514")
        /// `40001 serialization_failure`: run the transaction again.
        public static let serializationFailure = SQLState(rawValue: "40001")
        /// `40P01 deadlock_detected`: run the transaction again.
        public static let deadlockDetected = SQLState(rawValue: "40P01")
        /// `55P03 lock_not_available` (`NOWAIT`, `lock_timeout`).
        public static let lockNotAvailable = SQLState(rawValue: "55P03")
        /// `57014 query_canceled`: the statement timeout, or a cancel request.
        public static let queryCanceled = SQLState(rawValue: "57014")
        /// `57P01 admin_shutdown`: the server is shutting down.
        public static let adminShutdown = SQLState(rawValue: "57P01")
        /// `42P01 undefined_table`.
        public static let undefinedTable = SQLState(rawValue: "42P01")
        /// `42601 syntax_error`.
        public static let syntaxError = SQLState(rawValue: "42601")
        /// `25P02 in_failed_sql_transaction`: an earlier statement failed; only ROLLBACK helps.
        public static let inFailedTransaction = SQLState(rawValue: "25P02")
    }
}
