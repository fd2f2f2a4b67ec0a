import Postgres
import Testing
import TestSupport

/// Transactions, constraints and the locks that let several hosts share one database: rows claimed with
/// `FOR UPDATE SKIP LOCKED`, work run on one host at a time under an advisory lock.
@Suite(.enabled(if: TestPostgres.isAvailable, postgresMissing))
struct PostgresTransactionTests {
    struct Refusal: Error {}

    @Test func aTransactionCommitsWhatItsBodyDidAndRollsBackWhenItThrows() throws {
        let db = try freshDatabase()
        try db.execute("CREATE TABLE notes (body text)")
        try db.transaction { try db.run("INSERT INTO notes VALUES ($1)", "kept") }
        #expect(throws: Refusal.self) {
            try db.transaction {
                try db.run("INSERT INTO notes VALUES ($1)", "dropped")
                #expect(db.isInTransaction)
                throw Refusal()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.query("SELECT body FROM notes").map { $0[0] } == [.text("kept")])
    }

    @Test func aFailedStatementRollsItsTransactionBack() throws {
        let db = try freshDatabase()
        try db.execute("CREATE TABLE notes (body text UNIQUE)")
        let error = postgresError {
            try db.transaction {
                try db.run("INSERT INTO notes VALUES ($1)", "once")
                try db.run("INSERT INTO notes VALUES ($1)", "once")
            }
        }
        #expect(error?.isUniqueViolation == true)
        #expect(!db.isInTransaction)
        #expect(try db.query("SELECT count(*) FROM notes")[0][0] == .integer(0))
    }

    /// A session ended mid-transaction took the transaction with it: the error says the connection was lost, nothing
    /// is rolled back on a new connection, and nothing the transaction wrote is there.
    @Test func aConnectionLostMidTransactionLosesTheTransaction() throws {
        let db = try freshDatabase()
        let other = try secondConnection(to: db)
        try db.execute("CREATE TABLE notes (body text)")
        let pid = try #require(db.backendPID)
        let error = postgresError {
            try db.transaction {
                try db.run("INSERT INTO notes VALUES ($1)", "lost")
                try other.run("SELECT pg_terminate_backend($1::int4, 5000)", Int(pid))
                try db.run("INSERT INTO notes VALUES ($1)", "never")
            }
        }
        #expect(error?.kind == .connectionLost)
        #expect(!db.isInTransaction && !db.isConnected)
        #expect(try db.query("SELECT count(*) FROM notes")[0][0] == .integer(0))
        #expect(db.backendPID != pid)
    }

    @Test func transactionsDoNotNest() throws {
        let db = try freshDatabase()
        let error = postgresError { try db.transaction { try db.transaction {} } }
        #expect(error?.message == "A PostgreSQL transaction cannot start inside another")
        #expect(!db.isInTransaction)
    }

    @Test func aUniqueViolationIsRecognised() throws {
        let db = try freshDatabase()
        try db.execute("CREATE TABLE settings (key text PRIMARY KEY, value text)")
        try db.run("INSERT INTO settings VALUES ($1, $2)", "theme", "dark")
        var matched = false
        do {
            try db.run("INSERT INTO settings VALUES ($1, $2)", "theme", "light")
        } catch PostgresError.SQLState.uniqueViolation {
            matched = true
        } catch {}
        #expect(matched)
        let error = postgresError { try db.run("INSERT INTO settings VALUES ($1, $2)", "theme", "light") }
        #expect(error?.kind == .statement && error?.isUniqueViolation == true && error?.isRetryable == false)
        #expect(error?.message == "PostgreSQL refused a duplicate: duplicate key value violates unique constraint \"settings_pkey\"")
        #expect(error?.cause?.contains("Key (key)=(theme) already exists.") == true)
    }

    /// A repeatable-read transaction that updates a row another committed since it began fails as retryable, and
    /// running it again succeeds.
    @Test func aSerializationFailureIsRecognisedForRetry() throws {
        let a = try freshDatabase()
        let b = try secondConnection(to: a)
        try a.execute("CREATE TABLE counter (n int8); INSERT INTO counter VALUES (0)")
        let error = postgresError {
            try a.transaction(.repeatableRead) {
                _ = try a.query("SELECT n FROM counter")
                try b.run("UPDATE counter SET n = n + 1")
                try a.run("UPDATE counter SET n = n + 10")
            }
        }
        #expect(error?.sqlState == .serializationFailure && error?.isRetryable == true)
        #expect(error?.message == "PostgreSQL could not run this transaction alongside a concurrent one; running it again may succeed")
        try a.transaction(.repeatableRead) { try a.run("UPDATE counter SET n = n + 10") }
        #expect(try b.query("SELECT n FROM counter")[0][0] == .integer(11))
    }

    /// Two hosts claiming work: each transaction locks the first row nobody else holds, so they get different rows,
    /// and a row is free again once its claimer's transaction ends.
    @Test func forUpdateSkipLockedClaimsDifferentRowsOnTwoConnections() throws {
        let a = try freshDatabase()
        let b = try secondConnection(to: a)
        try a.execute("CREATE TABLE jobs (id int8 PRIMARY KEY); INSERT INTO jobs SELECT generate_series(1, 3)")
        let claim = "SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
        var claimed: [PostgresValue] = []
        try a.transaction {
            claimed.append(try a.query(claim)[0][0])
            try b.transaction { claimed.append(try b.query(claim)[0][0]) }
            // b's transaction ended: its row is free again; a's is still held.
            try b.transaction { claimed.append(try b.query(claim)[0][0]) }
        }
        #expect(claimed == [.integer(1), .integer(2), .integer(2)])
        let free = try b.transaction { try b.query(claim)[0][0] }
        #expect(free == .integer(1))
    }

    /// One host at a time: a lock one session holds is refused to another until released or its session ends.
    @Test func anAdvisoryLockIsHeldByOneSessionAndReleasedWhenItEnds() throws {
        var a: PostgresConnection? = try freshDatabase()
        let b = try secondConnection(to: a!)
        #expect(try a!.tryAdvisoryLock(15))
        #expect(try !b.tryAdvisoryLock(15))
        #expect(try b.withAdvisoryLock(15) { "ran" } == nil)
        #expect(try b.tryAdvisoryLock(16))  // another key is another lock
        #expect(try a!.advisoryUnlock(15))
        #expect(try b.withAdvisoryLock(15) { "ran" } == "ran")
        #expect(try !b.advisoryUnlock(15))  // withAdvisoryLock released it
        #expect(try a!.tryAdvisoryLock(15))
        a = nil  // PQfinish: the server ends the session and its locks, in its own time
        var taken = false
        for _ in 0..<200 where !taken {
            taken = try b.tryAdvisoryLock(15)
            if !taken { try b.run("SELECT pg_sleep(0.025)") }
        }
        #expect(taken)
    }
}
