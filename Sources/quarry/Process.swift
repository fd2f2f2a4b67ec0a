// Process-level set-up for a long-running server: logging, signals, limits.
import Locking
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One log line per event on standard error, at `level` and above.
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

enum ProcessLimits {
    /// A peer that goes away mid-write must not kill the process.
    static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// Raises the open-file limit to its hard maximum: every socket is a file, and systemd's default soft limit
    /// of 1024 would cap the connection count far below what the machine can hold.
    static func raiseOpenFileLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            let before = limit.rlim_cur
            limit.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) != 0 { limit.rlim_cur = before }
        }
        logger.debug("open file limit", metadata: ["limit": "\(limit.rlim_cur)"])
    }
}

/// The write end of the pipe the signal handler writes to; set once, before the handler is installed.
nonisolated(unsafe) private var shutdownPipeWrite: Int32 = -1

/// The handler for SIGINT and SIGTERM: writes the signal's number to the pipe, which is all a handler may safely do.
private func onShutdownSignal(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(shutdownPipeWrite, &byte, 1)
}

/// SIGINT and SIGTERM: the first runs `stop` (on a thread of its own), a second one exits at once.
///
/// A handler that writes to a pipe (the self-pipe pattern), rather than blocking the signals in every thread and
/// taking them with `sigwait`: Swift's concurrency runtime starts threads of its own before `main.swift` runs
/// (with `await` at top level the code even runs on one of them), so no mask set here reaches every thread, and a
/// thread that happens not to block a signal would take its default action, killing the process. With a handler,
/// whichever thread receives the signal just writes a byte, and the watcher thread, which never blocks them, is
/// always there to receive it.
final class ShutdownSignals: @unchecked Sendable {
    // Set in `init`, then only read.
    private var readEnd: Int32 = -1

    init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        readEnd = ends[0]
        shutdownPipeWrite = ends[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = onShutdownSignal
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }

    /// Runs `stop` (on the watcher thread) when the first signal arrives; a second one exits at once. `logged`:
    /// say so in the log (a server); a terminal command says what happened its own way.
    func onFirst(logged: Bool = true, _ stop: @escaping @Sendable () -> Void) {
        let readEnd = self.readEnd
        guard readEnd >= 0 else { return }
        let thread = spawnThread {
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, SIGINT)
            sigaddset(&unblock, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) != 1 {}
            if logged {
                Logger(label: "quarry").notice("shutting down", metadata: ["signal": "\(byte == UInt8(SIGINT) ? "SIGINT" : "SIGTERM")"])
            }
            let force = spawnThread {
                var second: UInt8 = 0
                while read(readEnd, &second, 1) != 1 {}
                if logged { Logger(label: "quarry").warning("second signal: exiting now") }
                // _exit, not exit: other threads are still running, and atexit handlers must not race them.
                _exit(1)
            }
            force?.detach()
            stop()
        }
        thread?.detach()
    }
}
