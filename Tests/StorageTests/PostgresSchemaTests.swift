// The PostgreSQL schema's migrations: applied once, safe when several hosts start together, and a database set up by
// a newer Quarry left alone with a sentence saying so.
import Locking
import Postgres
@testable import Store
import Testing
import TestSupport

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL's server binaries are not installed here (tools/test installs them)"))
struct PostgresSchemaTests {
    @Test func aSecondHostFindsTheSchemaReadyAndItsSettingsShared() throws {
        let url = try TestPostgres.shared().createDatabase()
        let first = try PostgresStore(PostgresConfiguration(url: url))
        try first.setSetting("theme", Array("dark".utf8))
        let second = try PostgresStore(PostgresConfiguration(url: url))
        #expect(try second.setting("theme") == Array("dark".utf8))
        let versions = try PostgresConnection(PostgresConfiguration(url: url)).query("SELECT count(*) FROM quarry_schema")
        #expect(versions.first?[0].int == PostgresStore.schemaVersion)
    }

    @Test func hostsStartingTogetherMigrateOnce() throws {
        let url = try TestPostgres.shared().createDatabase()
        let results = Locked<[String]>([])
        let threads = (0..<4).compactMap { _ in
            spawnThread {
                do {
                    _ = try PostgresStore(PostgresConfiguration(url: url))
                    results.withLock { $0.append("ok") }
                } catch {
                    results.withLock { $0.append("\(error)") }
                }
            }
        }
        threads.forEach { $0.join() }
        #expect(results.current.sorted() == ["ok", "ok", "ok", "ok"])
        let rows = try PostgresConnection(PostgresConfiguration(url: url)).query("SELECT version FROM quarry_schema ORDER BY version")
        #expect(rows.map { $0[0].int } == (1...PostgresStore.schemaVersion).map { $0 })
    }

    @Test func aDatabaseFromANewerQuarryIsLeftAlone() throws {
        let url = try TestPostgres.shared().createDatabase()
        _ = try PostgresStore(PostgresConfiguration(url: url))
        let db = try PostgresConnection(PostgresConfiguration(url: url))
        try db.run("INSERT INTO quarry_schema (version, name, applied_at) VALUES ($1, 'from the future', 0)",
                   PostgresStore.schemaVersion + 1)
        let configuration = try PostgresConfiguration(url: url)
        do throws(StoreError) {
            _ = try PostgresStore(configuration)
            Issue.record("a newer schema was accepted")
        } catch {
            guard case .newerPostgresDatabase(_, let version, let supported) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(version == PostgresStore.schemaVersion + 1 && supported == PostgresStore.schemaVersion)
            #expect(error.description.contains("newer version of Quarry"))
            #expect(!error.description.contains(TestPostgres.password))
        }
    }

    @Test func anUnreachableServerIsOneSentence() throws {
        let port = try freeLoopbackPort()
        let configuration = try PostgresConfiguration(
            url: "postgresql://quarry:\(TestPostgres.password)@127.0.0.1:\(port)/quarry", connectTimeout: .seconds(2))
        do throws(StoreError) {
            _ = try PostgresStore(configuration)
            Issue.record("connected to nothing")
        } catch {
            #expect(error.description.contains("127.0.0.1:\(port)"))
            #expect(!error.description.contains(TestPostgres.password))
        }
    }
}

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL's server binaries are not installed here (tools/test installs them)"))
struct PostgresLockTests {
    @Test func aCheckpointNeverWaitsForAnotherHostsLockOnTheAnswer() throws {
        let url = try TestPostgres.shared().createDatabase()
        let store = try PostgresStore(PostgresConfiguration(url: url))
        let exchange = try #require(try store.startExchange(session: "s", thread: nil, title: "t", question: "q"))
        let other = try PostgresConnection(PostgresConfiguration(url: url))
        try other.execute("BEGIN")
        _ = try other.query("SELECT id FROM messages WHERE id = $1 FOR UPDATE", exchange.answer)
        // The row is locked by another transaction: the optional checkpoint gives up at once, saving nothing.
        #expect(try store.checkpointIfFree(message: exchange.answer, content: "text", thinking: "") == false)
        #expect(try store.message(exchange.answer)?.content == "")
        try other.execute("COMMIT")
        #expect(try store.checkpointIfFree(message: exchange.answer, content: "text", thinking: ""))
        #expect(try store.message(exchange.answer)?.content == "text")
    }

    @Test func oneHostAtATimeHasTheIngestionTurnAndADeadHostGivesItBack() throws {
        let url = try TestPostgres.shared().createDatabase()
        let a = try PostgresStore(PostgresConfiguration(url: url))
        do {
            let b = try PostgresStore(PostgresConfiguration(url: url))
            #expect(try a.beginIngestionTurn())
            #expect(try !b.beginIngestionTurn())
            a.endIngestionTurn()
            #expect(try b.beginIngestionTurn())
            #expect(try !a.beginIngestionTurn())
        }
        // B is gone holding it (its connections closed with it): the turn is free again.
        try waitUntil("the turn given back by the server", seconds: 10) { try a.beginIngestionTurn() }
    }

    @Test func readsGoSideBySideAndAPoolOfOneMakesThemTakeTurns() throws {
        let url = try TestPostgres.shared().createDatabase()
        for (readers, sideBySide) in [(4, true), (1, false)] {
            let store = try PostgresStore(PostgresConfiguration(url: url), readerCount: readers)
            let exchange = try #require(try store.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            let slowEnded = Locked(false), started = Completion()
            let slow = try #require(spawnThread {
                _ = try? store.inSnapshot { db throws(PostgresError) in
                    started.signal()
                    _ = try db.query("SELECT pg_sleep(1.5)")
                    slowEnded.withLock { $0 = true }  // before its connection goes back to the pool
                }
            })
            #expect(started.wait(seconds: 10))
            // A read while the slow one runs: with readers to spare it does not wait for it.
            #expect(try store.message(exchange.answer)?.content == "")
            #expect(slowEnded.current == !sideBySide)
            slow.join()
        }
    }

    @Test func aHostNameIsClaimedByOneLiveStoreAndLetGoWhenItsProcessEnds() throws {
        let url = try TestPostgres.shared().createDatabase()
        let b = try PostgresStore(PostgresConfiguration(url: url), host: JobHost(name: "host-b"))
        do {
            let a = try PostgresStore(PostgresConfiguration(url: url), host: JobHost(name: "host-a"))
            let sameName = try PostgresStore(PostgresConfiguration(url: url), host: JobHost(name: "host-a"))
            #expect(try a.claimHostName())
            #expect(try a.claimHostName())  // again: still ours
            #expect(try !sameName.claimHostName())
            #expect(try b.claimHostName())  // another name is free
        }
        // The first "host-a" is gone (its connections closed with it): the name is free again.
        let restarted = try PostgresStore(PostgresConfiguration(url: url), host: JobHost(name: "host-a"))
        try waitUntil("the name let go", seconds: 10) { try restarted.claimHostName() }
    }

    @Test func aRestartedServerCostsOneFailedCallAndTheNextOneWorks() throws {
        let server = try TestPostgres()
        let store = try PostgresStore(PostgresConfiguration(url: server.createDatabase()))
        let exchange = try #require(try store.startExchange(session: "s", thread: nil, title: "t", question: "q"))
        try server.restart()
        // The first call on each connection meets the lost connection and says so; it is not sent again.
        _ = try? store.message(exchange.answer)
        _ = try? store.checkpoint(message: exchange.answer, content: "after the restart", thinking: "")
        try store.checkpoint(message: exchange.answer, content: "after the restart", thinking: "")
        #expect(try store.message(exchange.answer)?.content == "after the restart")
    }
}
