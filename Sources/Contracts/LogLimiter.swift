// Log lines that clients can cause are limited per reason, so a hostile client cannot fill the disk: a few lines
// per reason per minute, then one line saying how many were left out. The server's service thread and the chat
// (under its own lock) each keep one.

/// Decides whether a line of a given kind may be logged now. A value type with no lock of its own: its owner
/// serialises the calls (the service thread, or a lock).
public struct LogLimiter: Sendable {
    /// Lines of one kind allowed per interval.
    public let burst: Int
    /// The interval, in seconds.
    public let interval: Double
    private var windows: [String: (start: Double, logged: Int, suppressed: Int)] = [:]

    /// At most `burst` lines of a kind per `interval` seconds.
    public init(burst: Int = 10, interval: Double = 60) {
        self.burst = burst
        self.interval = interval
    }

    /// Whether a line of kind `key` may be logged at `now`, and how many lines of this kind were left out
    /// since the last one logged.
    public mutating func admit(_ key: String, now: Double) -> (allowed: Bool, suppressed: Int) {
        var window = windows[key] ?? (start: now, logged: 0, suppressed: 0)
        if now - window.start >= interval {
            window.start = now
            window.logged = 0
        }
        guard window.logged < burst else {
            window.suppressed += 1
            windows[key] = window
            return (false, 0)
        }
        let suppressed = window.suppressed
        window.logged += 1
        window.suppressed = 0
        windows[key] = window
        // Kinds are few (one per reason), so the table stays small.
        return (true, suppressed)
    }
}
