// Process-level set-up for a long-running server: logging, signals, limits.
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

/// SIGINT and SIGTERM, taken by one thread with sigwait: the first stops the server gracefully, a second one
/// exits at once. Must be created before any other thread starts, so every thread inherits the blocked mask.
final class ShutdownSignals: @unchecked Sendable {
    private var set = sigset_t()

    init() {
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Runs `stop` (on the signal thread) when the first signal arrives.
    func onFirst(_ stop: @escaping @Sendable () -> Void) {
        let mask = set
        var thread = pthread_t()
        final class Box { let stop: @Sendable () -> Void; let mask: sigset_t; init(_ s: @escaping @Sendable () -> Void, _ m: sigset_t) { stop = s; mask = m } }
        let box = Unmanaged.passRetained(Box(stop, mask)).toOpaque()
        pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            var mask = box.mask
            var signal: Int32 = 0
            sigwait(&mask, &signal)
            Logger(label: "quarry").notice("shutting down", metadata: ["signal": "\(signal == SIGINT ? "SIGINT" : "SIGTERM")"])
            let force = Unmanaged.passRetained(Box({}, box.mask)).toOpaque()
            var second = pthread_t()
            pthread_create(&second, nil, { raw in
                var mask = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().mask
                var signal: Int32 = 0
                sigwait(&mask, &signal)
                Logger(label: "quarry").warning("second signal: exiting now")
                // _exit, not exit: the server's thread is still running, and atexit handlers must not race it.
                _exit(1)
            }, force)
            box.stop()
            return nil
        }, box)
    }
}
