// The server-wide ceiling on requests to the model a minute. Sessions cost nothing to make, so per-session limits do
// not bound what a paid key spends: 30 fresh sessions once made 300 model requests in 15 s. Every chat request,
// retries included, takes a place in a sliding one-minute window; when the window is full the request is not sent
// and the answer says when to try again. The chat also asks before it takes a question (``Answerer/modelBusyFor``),
// so a person is usually told before anything is saved. With several hosts on one database the ceiling is the whole
// site's: each host hears now and then how many requests the others sent in their last minute (`othersSent`), and
// leaves them their share.
internal import Locking

/// A sliding window of requests: at most `limit` in any `window`. Thread-safe.
public final class RequestCeiling: Sendable {
    /// Requests allowed in any `window`.
    public let limit: Int
    /// The window's length (a minute, except in tests).
    public let window: Duration
    // The instants of this host's requests in the last window, oldest first (at most `limit` of them), and the
    // requests other hosts last said they sent in theirs.
    private let sent = Locked<(mine: [ContinuousClock.Instant], others: Int)>(([], 0))

    /// At most `limit` requests in any `window`.
    public init(limit: Int, window: Duration = .seconds(60)) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// Takes a place for a request now; nil when taken, else how long until one is free.
    public func take(now: ContinuousClock.Instant = .now) -> Duration? {
        sent.withLock { sent in
            if let wait = Self.wait(&sent.mine, limit: limit - sent.others, window: window, now: now) { return wait }
            sent.mine.append(now)
            return nil
        }
    }

    /// How long until a request may go (nil: now), taking nothing.
    public func wait(now: ContinuousClock.Instant = .now) -> Duration? {
        sent.withLock { Self.wait(&$0.mine, limit: limit - $0.others, window: window, now: now) }
    }

    /// This host's requests in the last window (what it tells the others).
    public func recent(now: ContinuousClock.Instant = .now) -> Int {
        sent.withLock { sent in
            _ = Self.wait(&sent.mine, limit: .max, window: window, now: now)
            return sent.mine.count
        }
    }

    /// The requests the other hosts sharing the ceiling sent in their last window, as they last said.
    public var othersSent: Int {
        get { sent.withLock { $0.others } }
        set { sent.withLock { $0.others = max(0, newValue) } }
    }

    /// Drops the requests older than `window` from `sent`; then how long until one more may go under `limit` (nil:
    /// now). When the others hold the whole ceiling, a twelfth of the window: their requests age out meanwhile.
    private static func wait(_ sent: inout [ContinuousClock.Instant], limit: Int, window: Duration,
                             now: ContinuousClock.Instant) -> Duration? {
        if let expired = sent.firstIndex(where: { now - $0 < window }) {
            sent.removeFirst(expired)
        } else {
            sent.removeAll()
        }
        guard sent.count >= limit else { return nil }
        guard limit > 0 else { return window / 12 }
        return window - (now - sent[sent.count - limit])
    }
}
