// A real Redis for the tests of the Redis module: Debian's redis-server, started as a plain child process on a free
// loopback port (and a unix socket) in a temporary folder, with nothing saved to disk, never the system's service or
// its configuration. It can be stopped and started again on the same port, as a Redis restart; each start waits until
// redis-cli's PING is answered. tools/test installs redis-server (tools/lib/common.sh).
#if canImport(Glibc)
internal import Glibc
#endif

/// A redis-server of our own on 127.0.0.1, stopped when the value is released.
public final class TestRedis {
    public static let server = "/usr/bin/redis-server"
    public static let cli = "/usr/bin/redis-cli"

    /// Whether redis-server and redis-cli are installed (tests skip, saying so, when not).
    public static var isInstalled: Bool { access(server, X_OK) == 0 && access(cli, X_OK) == 0 }

    public let port: Int
    /// The password `--requirepass` demands, if any.
    public let password: String?
    /// The folder it runs in (its log, its unix socket).
    public let folder: String
    /// `redis://127.0.0.1:PORT`, without the password.
    public var url: String { "redis://127.0.0.1:\(port)" }
    /// Its unix socket.
    public var socketPath: String { "\(folder)/redis.sock" }
    private var pid: pid_t?

    /// Starts a redis-server that demands `password` when one is given.
    public init(password: String? = nil) throws {
        var template = Array("/tmp/quarry-redis-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestProcessError("mkdtemp failed")
        }
        folder = String(cString: made)
        port = try freeLoopbackPort()
        self.password = password
        try start()
    }

    deinit {
        stop()
        for name in entryNames(in: folder) { unlink("\(folder)/\(name)") }
        rmdir(folder)
    }

    /// Starts redis-server (again, on the same port) and waits until it answers PING.
    public func start() throws {
        guard pid == nil else { return }
        var arguments = [Self.server, "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--dir", folder, "--unixsocket", socketPath, "--unixsocketperm", "700", "--daemonize", "no"]
        if let password { arguments += ["--requirepass", password] }
        pid = try spawnProcess(arguments, output: "\(folder)/redis.log")
        do {
            try waitUntil("redis-server answering PING on port \(port)") { try cli(["PING"]) == "PONG" }
        } catch {
            let log = String(decoding: readFile("\(folder)/redis.log"), as: UTF8.self)
            stop()
            throw TestProcessError("\(error); its log:\n\(log)")
        }
    }

    /// Stops redis-server (SIGTERM) and waits until it has exited: its clients see their connections closed.
    public func stop() {
        guard let pid else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        self.pid = nil
    }

    /// A Redis restart: stop, then start on the same port.
    public func restart() throws {
        stop()
        try start()
    }

    /// Runs redis-cli with `arguments` against this server (with the password), and returns its output without
    /// the final newline.
    @discardableResult
    public func cli(_ arguments: [String]) throws -> String {
        let output = "\(folder)/cli.out"
        let auth = password.map { ["-a", $0, "--no-auth-warning"] } ?? []
        _ = try runProcess([Self.cli, "-h", "127.0.0.1", "-p", "\(port)"] + auth + arguments, output: output)
        var text = String(decoding: readFile(output), as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
