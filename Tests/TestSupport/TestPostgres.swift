// A real PostgreSQL server for the tests of the Postgres module: Debian's server binaries (initdb, postgres), a
// cluster of our own in a temporary folder on a free loopback port, with its socket in that folder too (never the
// system's cluster or its configuration). tools/test installs them (postgresql, in tools/lib/common.sh).
//
// PostgreSQL refuses to run as root, and the tests run as root in CI and on the build machines: there the folder is
// given to the `postgres` system user and initdb and postgres are started as it (`setpriv`, which execs in place, so
// the pid we hold is the server's own). Run as anyone else, they are started directly.
//
// initdb takes a few seconds, so one server serves a whole test process (`shared()`), started on first use and
// stopped when the process exits; every test takes a fresh database of its own on it (`createDatabase()`). A test that
// must restart the server makes its own (`init()`), stopped when released.
#if canImport(Glibc)
internal import Glibc
#endif

/// A PostgreSQL server of our own on 127.0.0.1, with one superuser that signs in with a password over TCP.
public final class TestPostgres: @unchecked Sendable {
    // @unchecked: `pid` changes only in `restart()` and `stop()`, which the one test owning a private server calls;
    // the shared server's is read by nothing but its own stop at exit.

    /// The superuser, and its password (SCRAM-SHA-256 over TCP; the socket in `folder` trusts everyone).
    public static let user = "quarry"
    public static let password = "test-secret-7"

    /// The folder of the newest PostgreSQL server binaries installed (`/usr/lib/postgresql/15/bin` on Debian 12).
    public static let binaries: String? = entryNames(in: "/usr/lib/postgresql")
        .compactMap { Int($0) }.sorted(by: >)
        .map { "/usr/lib/postgresql/\($0)/bin" }
        .first { access("\($0)/initdb", X_OK) == 0 && access("\($0)/postgres", X_OK) == 0 }

    /// Why these tests cannot run here, or nil when they can.
    public static let unavailableReason: String? = {
        guard binaries != nil else {
            return "PostgreSQL's server binaries are not installed (tools/test installs Debian's postgresql)"
        }
        guard geteuid() != 0 || postgresUser() != nil else {
            return "running as root, and PostgreSQL refuses root: there is no postgres user to run it as"
        }
        return nil
    }()

    /// Whether a server can be started here.
    public static var isAvailable: Bool { unavailableReason == nil }

    /// The server every test of this process shares, started on first use and stopped at exit.
    public static func shared() throws -> TestPostgres { try sharedServer.get() }

    private static let sharedServer: Result<TestPostgres, any Error> = Result {
        let server = try TestPostgres()
        atexit {
            guard case .success(let server) = TestPostgres.sharedServer else { return }
            server.stop()
            server.removeFolder()
        }
        return server
    }

    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The folder holding the cluster (`data/`), the socket and the logs.
    public let folder: String
    private let binaries: String
    /// `setpriv` as the postgres user, when running as root; empty otherwise.
    private let asOwner: [String]
    private var pid: pid_t = 0

    /// Makes a cluster (`initdb`: UTF-8, the C locale, no fsync) and starts `postgres` on it; returns once
    /// `pg_isready` says it accepts connections.
    public init() throws {
        guard let binaries = Self.binaries, Self.unavailableReason == nil else {
            throw TestProcessError(Self.unavailableReason ?? "PostgreSQL is not available")
        }
        self.binaries = binaries
        var template = Array("/tmp/quarry-postgres-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestProcessError("mkdtemp failed")
        }
        folder = String(cString: made)
        port = try freeLoopbackPort()
        let passwordFile = "\(folder)/password"
        try writeFile(passwordFile, Array(Self.password.utf8))
        if geteuid() == 0, let owner = postgresUser() {
            chown(folder, owner.uid, owner.gid)
            chown(passwordFile, owner.uid, owner.gid)
            asOwner = ["/usr/bin/setpriv", "--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--clear-groups", "--"]
        } else {
            asOwner = []
        }
        let initdb = asOwner + [
            "\(binaries)/initdb", "-D", "\(folder)/data", "-U", Self.user, "--pwfile=\(passwordFile)",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync",
            "--no-instructions",
        ]
        guard try runProcess(initdb, output: "\(folder)/initdb.log") == 0 else {
            let log = String(decoding: readFile("\(folder)/initdb.log"), as: UTF8.self)
            removeFolder()
            throw TestProcessError("initdb failed: \(log)")
        }
        do { try start() } catch {
            removeFolder()
            throw error
        }
    }

    deinit {
        stop()
        removeFolder()
    }

    /// A URL for `database` as the superuser, with `password` (the right one unless another is given).
    public func url(database: String, password: String = TestPostgres.password) -> String {
        "postgresql://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// Creates an empty database of a new name (`createdb` over the socket) and returns its URL.
    public func createDatabase() throws -> String {
        let name = "test_\(UInt64.random(in: 0 ... .max))"
        let log = "\(folder)/createdb-\(name).log"
        guard try runProcess(["\(binaries)/createdb", "-h", folder, "-p", "\(port)", "-U", Self.user, name], output: log) == 0
        else { throw TestProcessError("createdb failed: \(String(decoding: readFile(log), as: UTF8.self))") }
        unlink(log)
        return url(database: name)
    }

    /// Stops the server (a fast shutdown: sessions are ended) and starts it again on the same port and data.
    public func restart() throws {
        stop()
        try start()
    }

    /// Starts `postgres` in the foreground as our child, and waits until `pg_isready` answers (30 s at most).
    private func start() throws {
        let server = asOwner + [
            "\(binaries)/postgres", "-D", "\(folder)/data", "-k", folder, "-h", "127.0.0.1", "-p", "\(port)",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]
        pid = try spawnProcess(server, output: "\(folder)/postgres.log")
        for _ in 0..<600 {
            if try runProcess(["\(binaries)/pg_isready", "-q", "-h", "127.0.0.1", "-p", "\(port)", "-t", "1"],
                       output: "/dev/null") == 0 { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw TestProcessError("postgres exited: \(String(decoding: readFile("\(folder)/postgres.log"), as: UTF8.self))")
            }
            usleep(50_000)
        }
        stop()
        throw TestProcessError("PostgreSQL did not accept connections on port \(port) within 30 s")
    }

    /// Stops the server if it runs: SIGINT is PostgreSQL's fast shutdown (it ends sessions and exits cleanly).
    private func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGINT)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// Deletes the folder and the cluster in it (`rm -rf`: the cluster is many folders deep).
    private func removeFolder() {
        _ = try? runProcess(["/bin/rm", "-rf", folder], output: "/dev/null")
    }
}

/// The `postgres` system user's ids (`getpwnam_r`: `getpwnam`'s shared buffer is not safe beside other threads).
private func postgresUser() -> (uid: uid_t, gid: gid_t)? {
    var entry = passwd(), found: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getpwnam_r("postgres", &entry, &buffer, buffer.count, &found) == 0, found != nil else { return nil }
    return (entry.pw_uid, entry.pw_gid)
}
