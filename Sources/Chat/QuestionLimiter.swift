// At most N questions a minute per browser session (the seed's 10), and M per peer address: a person types far
// fewer; a script or a stuck key is told plainly to wait instead of filling the queue. Sessions cost nothing to
// make (20 fresh ones had 200 questions accepted in 12 s), so the address counts too; its share is larger, because
// an office behind one NAT is several people.
internal import Locking

/// Sliding one-minute windows of questions, per key ("session:…", "peer:…").
final class QuestionLimiter: Sendable {
    /// A key and how many questions it may have in the window.
    struct Limit: Sendable {
        var key: String
        var perMinute: Int
    }

    /// The window of the questions a minute.
    static let minute = Duration.seconds(60)

    private let window: Duration
    private let asked = Locked<[String: [ContinuousClock.Instant]]>([:])

    init(window: Duration = minute) { self.window = window }

    /// Records a question against every limit if all of them allow it; otherwise, for the first that does not,
    /// its index in `limits` and how long until it does. Nothing is recorded for a refused question.
    func admit(_ limits: [Limit], now: ContinuousClock.Instant = .now) -> (index: Int, wait: Duration)? {
        asked.withLock { all in
            var recents: [[ContinuousClock.Instant]] = []
            for (index, limit) in limits.enumerated() {
                let recent = (all[limit.key] ?? []).filter { now - $0 < window }
                all[limit.key] = recent.isEmpty ? nil : recent
                if recent.count >= limit.perMinute { return (index, window - (now - recent[recent.count - limit.perMinute])) }
                recents.append(recent)
            }
            for (limit, recent) in zip(limits, recents) { all[limit.key] = recent + [now] }
            // Sessions come and go: forget the quiet ones now and then, so the table stays small.
            if all.count > 1_000 { all = all.filter { now - ($0.value.last ?? now) < window } }
            return nil
        }
    }

    /// Takes back the latest question counted against each key: one refused after it passed here (by the count
    /// across hosts), which is not to count.
    func withdrawLatest(_ keys: [String]) {
        asked.withLock { all in
            for key in keys {
                guard var recent = all[key], !recent.isEmpty else { continue }
                recent.removeLast()
                all[key] = recent.isEmpty ? nil : recent
            }
        }
    }
}
