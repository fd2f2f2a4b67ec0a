// Log lines that clients can cause are limited per reason, so a hostile client cannot fill the disk: a few lines
// per reason per minute, then one line saying how many were left out.

/// Decides whether a line of a given kind may be logged now. Service thread only (or under a lock).
struct LogLimiter {
    /// Lines of one kind allowed per interval.
    let burst: Int
    /// The interval, in seconds.
    let interval: Double
    private var windows: [String: (start: Double, logged: Int, suppressed: Int)] = [:]

    init(burst: Int = 10, interval: Double = 60) {
        self.burst = burst
        self.interval = interval
    }

    /// Whether a line of kind `key` may be logged at `now`, and how many lines of this kind were left out
    /// since the last one logged.
    mutating func admit(_ key: String, now: Double) -> (allowed: Bool, suppressed: Int) {
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
