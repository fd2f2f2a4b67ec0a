// The sentences a person reads when PostgreSQL cannot be reached or refuses a statement. A failed statement carries
// its SQLSTATE, which is what the code matches. A failed connection has none (libpq reports it before any result
// exists), so its sentence is chosen from libpq's English text; a translated libpq (LANG) gets the general sentence,
// with libpq's own words as the cause either way.

extension PostgresConnection {
    /// The error for a failed connection attempt, from libpq's `PQerrorMessage`.
    static func connectionError(_ configuration: PostgresConfiguration, _ libpqMessage: String) -> PostgresError {
        let cause = libpqMessage.split(whereSeparator: \.isNewline)
            .map { $0.drop(while: { $0 == " " || $0 == "\t" }) }.joined(separator: " ")
        let place = configuration.place
        let sentence = if cause.contains("Connection refused") {
            "PostgreSQL at \(place) refused the connection"
        } else if cause.contains("password authentication failed") || cause.contains("no password supplied") {
            "PostgreSQL at \(place) refused the password of user \(configuration.user ?? "(the default)")"
        } else if cause.contains("timeout expired") {
            "PostgreSQL at \(place) did not answer within \(configuration.connectTimeoutSeconds) s"
        } else if cause.contains("database \""), cause.contains("does not exist") {
            "PostgreSQL at \(place) has no database \(configuration.database ?? "(the default)")"
        } else {
            "Could not connect to PostgreSQL at \(place)"
        }
        return PostgresError(.connection, sentence, cause: cause)
    }

    /// The error for a failed statement: the connection lost, or the server's refusal in words and SQLSTATE.
    static func statementError(_ configuration: PostgresConfiguration, _ failure: StatementFailure, sql: String)
        -> PostgresError
    {
        let state = failure.sqlState.map { PostgresError.SQLState(rawValue: $0) }
        var cause = failure.message
        if let detail = failure.detail { cause += " — \(detail)" }
        if failure.connectionLost {
            return PostgresError(.connectionLost, "The connection to PostgreSQL at \(configuration.place) was lost; "
                                 + "the next use connects again", sqlState: state, cause: cause, sql: sql)
        }
        let sentence = switch state {
        case .uniqueViolation?: "PostgreSQL refused a duplicate: \(failure.message)"
        case .serializationFailure?, .deadlockDetected?:
            "PostgreSQL could not run this transaction alongside a concurrent one; running it again may succeed"
        case .queryCanceled? where failure.message.contains("statement timeout"):
            "PostgreSQL cancelled the statement: it ran past the statement timeout of "
                + "\(configuration.statementTimeoutMilliseconds.map { "\($0) ms" } ?? "the server")"
        case .queryCanceled?: "PostgreSQL cancelled the statement"
        default: "PostgreSQL refused the statement: \(failure.message)"
        }
        return PostgresError(.statement, sentence, sqlState: state, cause: cause, sql: sql)
    }
}
