// Shared by the test targets: child processes (slapd, redis-server, PostgreSQL and their tools), started with their
// output in a file, and waiting on a condition rather than for a fixed time.
#if canImport(Glibc)
internal import Glibc
#endif

/// Why a child process could not be started, or a condition did not come true in time.
public struct TestProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Starts `argv` (an absolute path first) with stdout and stderr into the file `output` (`posix_spawn`); its pid.
public func spawnProcess(_ argv: [String], output: String) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // A long-lived server that inherited a socket another test left inheritable (the stand-in's, curl's) keeps it
    // open after that test closes it, and the peer never sees the close: the child gets stdin, stdout, stderr only.
    if let addCloseFrom { _ = addCloseFrom(&actions, 3) }
    var pointers = argv.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    // The calling thread's mask is inherited, and a test runs on a worker thread that blocks signals: slapd would
    // never see the SIGTERM that stops it.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    var pid: pid_t = 0
    let result = posix_spawn(&pid, argv[0], &actions, &attributes, &pointers, environ)
    guard result == 0 else { throw TestProcessError("\(argv[0]) could not start (errno \(result)); run tools/test to install it") }
    return pid
}

/// `posix_spawn_file_actions_addclosefrom_np`, where glibc has it (2.34+; Swift's Glibc module does not declare it),
/// as `Sources/Retrieval/Reading/ChildProcess.swift` finds it.
private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
}()

/// Runs `argv` to its end, its output into the file `output`; its exit status.
public func runProcess(_ argv: [String], output: String) throws -> Int32 {
    let pid = try spawnProcess(argv, output: output)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}

/// Polls `condition` every 10 ms until it holds; throws, naming `what`, if it does not within `seconds`.
public func waitUntil(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
    var start = timespec(), now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    while try !condition() {
        clock_gettime(CLOCK_MONOTONIC, &now)
        guard Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9 < seconds else {
            throw TestProcessError("\(what) did not happen within \(seconds) s")
        }
        usleep(10_000)
    }
}
