// The server-wide ceiling on requests to the model a minute. Sessions cost nothing to make, so per-session limits do
// not bound what a paid key spends: 30 fresh sessions once made 300 model requests in 15 s. Every chat request,
// retries included, takes a place in a sliding one-minute window; when the window is full the request is not sent
// and the answer says when to try again. The chat also asks before it takes a question (``Answerer/modelBusyFor``),
// so a person is usually told before anything is saved.
internal import Locking

/// A sliding window of requests: at most `limit` in any `window`. Thread-safe.
public final class RequestCeiling: Sendable {
    /// Requests allowed in any `window`.
    public let limit: Int
    /// The window's length (a minute, except in tests).
    public let window: Duration
    // The instants of the requests in the last window, oldest first (at most `limit` of them).
    private let sent = Locked<[ContinuousClock.Instant]>([])

    /// At most `limit` requests in any `window`.
    public init(limit: Int, window: Duration = .seconds(60)) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// Takes a place for a request now; nil when taken, else how long until one is free.
    public func take(now: ContinuousClock.Instant = .now) -> Duration? {
        sent.withLock { sent in
            if let wait = Self.wait(&sent, limit: limit, window: window, now: now) { return wait }
            sent.append(now)
            return nil
        }
    }

    /// How long until a request may go (nil: now), taking nothing.
    public func wait(now: ContinuousClock.Instant = .now) -> Duration? {
        sent.withLock { Self.wait(&$0, limit: limit, window: window, now: now) }
    }

    private static func wait(_ sent: inout [ContinuousClock.Instant], limit: Int, window: Duration,
                             now: ContinuousClock.Instant) -> Duration? {
        if let expired = sent.firstIndex(where: { now - $0 < window }) {
            sent.removeFirst(expired)
        } else {
            sent.removeAll()
        }
        guard sent.count >= limit else { return nil }
        return window - (now - sent[0])
    }
}
