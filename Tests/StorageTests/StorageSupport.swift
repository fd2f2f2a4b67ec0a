// Each storage test runs once per implementation: `Store` on a SQLite file of its own, and `PostgresStore` on a
// fresh database of the shared test PostgreSQL server (TestSupport/TestPostgres.swift), when one can run here.
import Postgres
import Store
import Testing
import TestSupport

/// A storage implementation under test.
enum Backend: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    /// The implementations these tests can run here: SQLite always, PostgreSQL when its server binaries can run.
    static let available: [Backend] = TestPostgres.isAvailable ? [.sqlite, .postgresql] : [.sqlite]

    var testDescription: String { rawValue }
}

/// Every storage protocol, as both implementations conform to them.
typealias TestedStorage = QuarryStorage

/// Runs `body` with a new, empty storage of `backend`'s kind.
func withStorage<Result>(_ backend: Backend, host: JobHost = JobHost(), _ body: (any TestedStorage) throws -> Result)
    throws -> Result
{
    switch backend {
    case .sqlite:
        return try withTemporaryDirectory { folder in try body(Store(path: folder + "/quarry.db", host: host)) }
    case .postgresql:
        return try body(PostgresStore(PostgresConfiguration(url: TestPostgres.shared().createDatabase()), host: host))
    }
}

/// A second storage on the same database (file or server) as `storage`: another host, or another process.
func openAgain(_ storage: any TestedStorage, host: JobHost? = nil) throws -> any TestedStorage {
    if let store = storage as? Store { return try Store(path: store.path, host: host ?? store.host) }
    if let store = storage as? PostgresStore { return try PostgresStore(store.configuration, host: host ?? store.host) }
    throw StorageTestError("no second connection for \(type(of: storage))")
}

struct StorageTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
