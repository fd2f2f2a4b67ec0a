// Running a converter (poppler's pdftotext) as a child process: bytes in on stdin, text out on stdout, within a time
// limit and an output limit. Every raw process call of Retrieval lives in this file.
//
// Threading rule: `run` may be called from any number of threads at once, Swift concurrency's included. It blocks the
// calling thread until the child ends (at most the time limit and the time to reap it), so async callers should call
// it inside `onOwnThread` rather than hold one of the few cooperative threads. Nothing is shared between runs but
// `spawnLock`.
//
// How it stays safe with many threads and no fork():
// - posix_spawn (glibc: clone + exec, no fork of the parent's memory), by absolute path, no shell, no PATH search;
// - every pipe end is close-on-exec, and the pipes are made and the child spawned under one lock, so no other run's
//   child can inherit them between `pipe` and `fcntl` (Swift's Glibc module has no `pipe2`: it is a GNU extension);
//   where glibc has `posix_spawn_file_actions_addclosefrom_np` (2.34+, looked up by name for the same reason) the
//   child also closes every descriptor above 2 that other code in this process left inheritable;
// - the child leads a new process group, so a limit kills it and whatever it started (a shell's `sleep`) with one
//   SIGKILL to the group, sent before the child is reaped, while its pid cannot yet be reused;
// - stdin is written from the same poll() loop that drains stdout and stderr, so a child that writes before it has
//   read everything cannot deadlock against us; SIGPIPE is blocked on this thread while writing (a child may exit
//   without reading its input) and the one it raised is consumed before the mask is restored;
// - the child gets SIGPIPE and the other signals this process ignores back at their defaults, and an empty mask.
#if canImport(Glibc)
internal import Glibc
#endif
internal import Locking

/// A program run to its end, or stopped at a limit.
enum ChildProcess {
    /// How a run ended.
    enum Termination: Equatable, Sendable {
        /// The program exited with this status.
        case exited(Int32)
        /// A signal ended it (SIGKILL when a limit stopped it).
        case signalled(Int32)
    }

    /// What a run produced.
    struct Outcome: Sendable {
        var termination: Termination
        /// Its standard output, at most the limit's bytes.
        var stdout: [UInt8]
        /// The start of its standard error, at most `stderrLimit` bytes (the rest is read and dropped).
        var stderr: [UInt8]
        /// The time limit passed and the program was killed.
        var timedOut: Bool
        /// It wrote more than the output limit and was killed.
        var outputLimitHit: Bool

        /// Its standard error as text.
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// The program could not be started (`posix_spawn` failed): `errno` says why (ENOENT: there is no such file).
    struct LaunchFailure: Error, Equatable {
        var program: String
        var errno: Int32

        /// There is no program at that path, or it is not something that can run.
        var isMissing: Bool { [ENOENT, ENOTDIR, EACCES, ENOEXEC].contains(errno) }
    }

    /// Runs `program` (an absolute path) with `arguments`, feeding it `input` on stdin (nil: /dev/null) and collecting
    /// stdout up to `stdoutLimit` bytes and stderr up to `stderrLimit`. After `seconds`, or as soon as stdout would
    /// pass its limit, the program and its process group are killed; the program is always reaped before this
    /// returns. Calls `posix_spawn`, `poll`, `read`, `write`, `waitid`, `kill` and `waitpid`.
    static func run(
        _ program: String, _ arguments: [String], input: [UInt8]? = nil,
        seconds: Double, stdoutLimit: Int, stderrLimit: Int = 8 << 10
    ) throws(LaunchFailure) -> Outcome {
        let deadline = Clock.now() + Int64(max(seconds, 0) * 1e9)
        let child = try spawn(program, arguments, hasInput: input != nil)
        var pump = Pump(child: child, input: input ?? [], stdoutLimit: stdoutLimit, stderrLimit: stderrLimit)
        let ending = SIGPIPEGuard.withBlocked { pump.run(until: deadline) }
        // Everything the program started goes with it; for a program that already exited this reaches only what it
        // left behind (its pid is still a zombie's, so it names no other group).
        kill(-child.pid, SIGKILL)
        if ending != .finished { kill(child.pid, SIGKILL) }
        pump.closeAll()
        return Outcome(
            termination: reap(child.pid), stdout: pump.stdout, stderr: pump.stderr,
            timedOut: ending == .timedOut, outputLimitHit: ending == .outputLimitHit)
    }

    // MARK: Spawning

    /// A started child: its pid and the parent's ends of its pipes (-1 where there is none).
    struct Child {
        var pid: pid_t
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
    }

    /// Serializes pipe creation with spawning, so no child inherits another run's pipe ends.
    private static let spawnLock = Lock()

    /// `posix_spawn_file_actions_addclosefrom_np`, where glibc has it (2.34+).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()

    private static func spawn(_ program: String, _ arguments: [String], hasInput: Bool) throws(LaunchFailure) -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        return try spawnLock.withLock { () throws(LaunchFailure) -> Child in
            var opened: [Int32] = []
            func pipePair() -> (read: Int32, write: Int32)? {
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { return nil }
                opened += ends
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                return (ends[0], ends[1])
            }
            func fail(_ code: Int32) -> LaunchFailure {
                for descriptor in opened { close(descriptor) }
                return LaunchFailure(program: program, errno: code)
            }
            let input = hasInput ? pipePair() : nil
            guard let output = pipePair(), let errors = pipePair(), !hasInput || input != nil else { throw fail(errno) }

            if let input {
                posix_spawn_file_actions_adddup2(&actions, input.read, 0)
            } else {
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            }
            posix_spawn_file_actions_adddup2(&actions, output.write, 1)
            posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
            if let addCloseFrom { _ = addCloseFrom(&actions, 3) }

            var pid: pid_t = 0
            let result = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
            guard result == 0 else { throw fail(result) }
            // The child's ends are the child's now.
            if let input { close(input.read) }
            close(output.write)
            close(errors.write)
            let child = Child(pid: pid, stdin: input?.write ?? -1, stdout: output.read, stderr: errors.read)
            for descriptor in [child.stdin, child.stdout, child.stderr] where descriptor >= 0 {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            }
            // Bigger pipes: fewer wake-ups for a converter writing megabytes (Linux; failure is harmless).
            for descriptor in [child.stdin, child.stdout] where descriptor >= 0 {
                _ = fcntl(descriptor, 1031 /* F_SETPIPE_SZ */, Int32(1 << 20))
            }
            return child
        }
    }

    /// Waits for `pid` to end (`waitpid`, retried on EINTR) and says how it ended.
    private static func reap(_ pid: pid_t) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            // ECHILD: someone else reaped it (SIGCHLD ignored); it was killed or ended, we cannot know which.
            if errno != EINTR { return .signalled(SIGKILL) }
        }
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    /// Whether `pid` has ended, without reaping it (`waitid` with WNOWAIT), so its pid stays ours.
    fileprivate static func hasEnded(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 {
            if errno != EINTR { return true }
        }
        return info.si_signo == SIGCHLD
    }
}

// MARK: The I/O loop

extension ChildProcess {
    enum Ending { case finished, timedOut, outputLimitHit }
    enum Stream { case stdout, stderr }

    /// Moves bytes between this process and the child until it has closed its output and ended, or a limit is hit.
    struct Pump {
        var child: Child
        let input: [UInt8]
        var written = 0
        let stdoutLimit: Int
        let stderrLimit: Int
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        private var scratch = [UInt8](repeating: 0, count: 1 << 16)

        init(child: Child, input: [UInt8], stdoutLimit: Int, stderrLimit: Int) {
            self.child = child
            self.input = input
            self.stdoutLimit = stdoutLimit
            self.stderrLimit = stderrLimit
        }

        mutating func run(until deadline: Int64) -> Ending {
            if input.isEmpty { closeInput() }
            while true {
                let remaining = deadline - Clock.now()
                if remaining <= 0 { return .timedOut }
                // Wake at least every 200 ms: a child that ended while something it started still holds our pipes
                // is done, and with all pipes closed only its end is left to wait for.
                let open = [child.stdin, child.stdout, child.stderr].contains { $0 >= 0 }
                let tick: Int64 = open ? 200_000_000 : 1_000_000
                var descriptors: [pollfd] = []
                if child.stdin >= 0 { descriptors.append(pollfd(fd: child.stdin, events: Int16(POLLOUT), revents: 0)) }
                if child.stdout >= 0 { descriptors.append(pollfd(fd: child.stdout, events: Int16(POLLIN), revents: 0)) }
                if child.stderr >= 0 { descriptors.append(pollfd(fd: child.stderr, events: Int16(POLLIN), revents: 0)) }
                let milliseconds = Int32((min(remaining, tick) + 999_999) / 1_000_000)
                let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
                if ready < 0 {
                    if errno == EINTR { continue }
                    return .timedOut
                }
                if ready == 0 {
                    if ChildProcess.hasEnded(child.pid) {
                        // What it wrote before it ended is in the pipes already.
                        if drain(.stdout, untilEmpty: true) { return .outputLimitHit }
                        _ = drain(.stderr, untilEmpty: true)
                        return .finished
                    }
                    continue
                }
                for descriptor in descriptors where descriptor.revents != 0 {
                    if descriptor.fd == child.stdin {
                        feed()
                    } else if descriptor.fd == child.stdout {
                        if drain(.stdout, untilEmpty: false) { return .outputLimitHit }
                    } else if descriptor.fd == child.stderr {
                        _ = drain(.stderr, untilEmpty: false)
                    }
                }
            }
        }

        /// Writes what the pipe takes of the rest of the input; closes stdin when all is written or the child
        /// stopped reading (EPIPE).
        private mutating func feed() {
            while written < input.count {
                let count = input.withUnsafeBytes { bytes in
                    write(child.stdin, bytes.baseAddress! + written, input.count - written)
                }
                if count > 0 {
                    written += count
                } else if count < 0, errno == EINTR {
                    continue
                } else if count < 0, errno == EAGAIN {
                    return
                } else {
                    break
                }
            }
            closeInput()
        }

        private mutating func closeInput() {
            if child.stdin >= 0 { close(child.stdin) }
            child.stdin = -1
        }

        /// Reads what the pipe has (everything up to its end when `untilEmpty`), keeping up to the stream's limit;
        /// closes it at its end. True when stdout brought more than its limit (the bytes past it are dropped; past
        /// stderr's limit they are dropped silently).
        private mutating func drain(_ stream: Stream, untilEmpty: Bool) -> Bool {
            var reads = 0
            while true {
                let descriptor = stream == .stdout ? child.stdout : child.stderr
                guard descriptor >= 0 else { return false }
                let count = scratch.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                if count > 0 {
                    let room = max((stream == .stdout ? stdoutLimit - stdout.count : stderrLimit - stderr.count), 0)
                    if stream == .stdout {
                        stdout.append(contentsOf: scratch[0..<min(count, room)])
                        if count > room { return true }
                    } else {
                        stderr.append(contentsOf: scratch[0..<min(count, room)])
                    }
                    reads += 1
                    // Data keeps coming: go back to poll so the other pipes get their turn.
                    if !untilEmpty, reads >= 16 { return false }
                } else if count < 0, errno == EINTR {
                    continue
                } else if count < 0, errno == EAGAIN {
                    return false
                } else {
                    close(descriptor)
                    if stream == .stdout { child.stdout = -1 } else { child.stderr = -1 }
                }
            }
        }

        mutating func closeAll() {
            for descriptor in [child.stdin, child.stdout, child.stderr] where descriptor >= 0 { close(descriptor) }
            child.stdin = -1
            child.stdout = -1
            child.stderr = -1
        }
    }
}

// MARK: Clock and SIGPIPE

extension ChildProcess {
    enum Clock {
        /// Nanoseconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`).
        static func now() -> Int64 {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        }
    }

    /// Writing to a pipe whose reader has gone raises SIGPIPE, which by default ends this whole process. It is
    /// blocked on the writing thread instead (`pthread_sigmask`); a SIGPIPE the writes raised is directed at this
    /// thread and is taken off it (`sigtimedwait`, no wait) before the old mask comes back.
    enum SIGPIPEGuard {
        static func withBlocked<Result>(_ body: () -> Result) -> Result {
            var pipeOnly = sigset_t()
            sigemptyset(&pipeOnly)
            sigaddset(&pipeOnly, SIGPIPE)
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
            var pendingBefore = sigset_t()
            sigpending(&pendingBefore)
            let wasPending = sigismember(&pendingBefore, SIGPIPE) == 1
            let result = body()
            if !wasPending {
                var noWait = timespec(tv_sec: 0, tv_nsec: 0)
                while sigtimedwait(&pipeOnly, nil, &noWait) < 0, errno == EINTR {}
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            return result
        }
    }
}
