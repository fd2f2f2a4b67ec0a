import Postgres
import Testing
import TestSupport

/// Connecting to a real PostgreSQL (TestSupport's `TestPostgres`), and the sentences for each way it fails.
@Suite(.enabled(if: TestPostgres.isAvailable, postgresMissing))
struct PostgresConnectionTests {
    @Test func aRefusedConnectionNamesTheServer() throws {
        let port = try freeLoopbackPort()
        let configuration = try PostgresConfiguration(url: "postgresql://quarry:secret@127.0.0.1:\(port)/quarry")
        let error = postgresError { _ = try PostgresConnection(configuration) }
        #expect(error?.kind == .connection)
        #expect(error?.message == "PostgreSQL at 127.0.0.1:\(port) refused the connection")
        #expect(error?.description.contains("secret") == false)
    }

    @Test func aWrongPasswordIsRefusedWithTheUsersName() throws {
        let server = try TestPostgres.shared()
        let configuration = try PostgresConfiguration(url: server.url(database: "postgres", password: "wrong"))
        let error = postgresError { _ = try PostgresConnection(configuration) }
        #expect(error?.kind == .connection)
        #expect(error?.message == "PostgreSQL at 127.0.0.1:\(server.port) refused the password of user quarry")
        #expect(error?.cause?.contains("password authentication failed") == true)
    }

    @Test func aMissingDatabaseIsNamed() throws {
        let server = try TestPostgres.shared()
        let configuration = try PostgresConfiguration(url: server.url(database: "nowhere"))
        let error = postgresError { _ = try PostgresConnection(configuration) }
        #expect(error?.message == "PostgreSQL at 127.0.0.1:\(server.port) has no database nowhere")
    }

    /// A port that accepts the TCP connection and never answers: libpq gives up at `connect_timeout`.
    @Test func aServerThatNeverAnswersTimesOut() throws {
        let silent = try SilentListener()
        let configuration = try PostgresConfiguration(url: "postgresql://quarry@127.0.0.1:\(silent.port)/quarry",
                                                      connectTimeout: .seconds(2))
        let error = postgresError { _ = try PostgresConnection(configuration) }
        #expect(error?.kind == .connection)
        #expect(error?.message == "PostgreSQL at 127.0.0.1:\(silent.port) did not answer within 2 s")
    }

    @Test func aStatementPastTheTimeoutIsCancelledAndTheConnectionGoesOn() throws {
        let db = try freshDatabase(statementTimeout: .milliseconds(200))
        let error = postgresError { try db.run("SELECT pg_sleep(5)") }
        #expect(error?.kind == .statement)
        #expect(error?.isCancelled == true)
        #expect(error?.message == "PostgreSQL cancelled the statement: it ran past the statement timeout of 200 ms")
        #expect(try db.query("SELECT 1")[0][0] == .integer(1))
    }

    @Test func aSyntaxErrorSaysWhereAndKeepsItsSQLState() throws {
        let db = try freshDatabase()
        let error = postgresError { try db.run("SELEKT 1") }
        #expect(error?.sqlState == .syntaxError)
        #expect(error?.message == "PostgreSQL refused the statement: syntax error at or near \"SELEKT\"")
        #expect(error?.sql == "SELEKT 1")
    }

    /// A server restart drops every session: the next statement says so, and the one after connects again.
    @Test func aRestartIsNoticedAndTheNextUseReconnects() throws {
        let server = try TestPostgres()
        let db = try PostgresConnection(PostgresConfiguration(url: server.createDatabase(),
                                                              statementTimeout: .seconds(10)))
        try db.execute("CREATE TABLE kept (id int8)")
        try db.run("INSERT INTO kept VALUES ($1)", 7)
        let before = db.backendPID
        try server.restart()
        let error = postgresError { _ = try db.query("SELECT id FROM kept") }
        #expect(error?.kind == .connectionLost)
        #expect(error?.message == "The connection to PostgreSQL at 127.0.0.1:\(server.port) was lost; the next use connects again")
        #expect(!db.isConnected)
        #expect(try db.query("SELECT id FROM kept").map { $0[0] } == [.integer(7)])
        #expect(db.isConnected && db.backendPID != before)
        // The session was set up again: the statement timeout still holds.
        #expect(try db.query("SHOW statement_timeout")[0][0] == .text("10s"))
    }

    /// A session ended by another (an administrator's `pg_terminate_backend`, waiting up to 5 s for it to end) is
    /// noticed the same way.
    @Test func aTerminatedSessionIsNoticedAndTheNextUseReconnects() throws {
        let db = try freshDatabase()
        let other = try secondConnection(to: db)
        let pid = try #require(db.backendPID)
        #expect(try other.query("SELECT pg_terminate_backend($1::int4, 5000)", Int(pid))[0][0] == .boolean(true))
        let error = postgresError { _ = try db.query("SELECT 1") }
        #expect(error?.kind == .connectionLost)
        #expect(try db.query("SELECT 2")[0][0] == .integer(2))
    }
}
