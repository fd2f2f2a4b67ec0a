import Postgres
import Testing
import TestSupport

/// The reason the suites give when they cannot run.
let postgresMissing: Comment = "PostgreSQL's server binaries are not installed or cannot run here (tools/test installs them)"

/// A connection to a fresh database of its own on the shared test server.
func freshDatabase(statementTimeout: Duration? = nil) throws -> PostgresConnection {
    try PostgresConnection(PostgresConfiguration(url: TestPostgres.shared().createDatabase(),
                                                 statementTimeout: statementTimeout))
}

/// A second connection to the database of `connection`.
func secondConnection(to connection: PostgresConnection) throws -> PostgresConnection {
    try PostgresConnection(connection.configuration)
}

/// The `PostgresError` `body` throws; fails the test (and returns nil) if it throws nothing or something else.
func postgresError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> PostgresError? {
    do {
        try body()
        Issue.record("expected a PostgresError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as PostgresError {
        return error
    } catch {
        Issue.record("expected a PostgresError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
