// The chat's log lines that a client can cause (a refused question, an answer that failed upstream, a retry of
// something gone) go through a LogLimiter, as the server's do: a few per kind a minute, then one line saying how many
// were left out. A script asking a thousand questions cannot fill the disk with a thousand lines.
internal import Contracts
internal import Locking
internal import Logging

/// A logger whose lines are limited per kind (the message is the kind).
final class ChatLog: Sendable {
    let logger: Logger
    private let limiter: Locked<LogLimiter>
    private let started = ContinuousClock.now

    init(logger: Logger, limiter: LogLimiter = LogLimiter()) {
        self.logger = logger
        self.limiter = Locked(limiter)
    }

    /// Logs `message` at `level` unless this kind has had its share of the minute.
    func log(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata = [:]) {
        let elapsed = ContinuousClock.now - started
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let (allowed, suppressed) = limiter.withLock { $0.admit(message, now: now) }
        guard allowed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed_since_last"] = "\(suppressed)" }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    func warning(_ message: String, _ metadata: Logger.Metadata = [:]) { log(.warning, message, metadata) }
    func error(_ message: String, _ metadata: Logger.Metadata = [:]) { log(.error, message, metadata) }
}
