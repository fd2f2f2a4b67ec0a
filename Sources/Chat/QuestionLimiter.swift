// At most N questions a minute per browser session (the seed's 10): a person types far fewer; a script or a stuck
// key is told plainly to wait instead of filling the queue.
internal import Locking

/// A sliding one-minute window of questions per session.
final class QuestionLimiter: Sendable {
    private let perMinute: Int
    private let window: Duration = .seconds(60)
    private let asked = Locked<[String: [ContinuousClock.Instant]]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Records a question of `session` if it is allowed; otherwise how long until the next one is.
    func admit(_ session: String, now: ContinuousClock.Instant = .now) -> Duration? {
        asked.withLock { all in
            let recent = (all[session] ?? []).filter { now - $0 < window }
            if recent.count >= perMinute {
                all[session] = recent
                return window - (now - recent[0])
            }
            all[session] = recent + [now]
            // Sessions come and go: forget the quiet ones now and then, so the table stays small.
            if all.count > 1_000 { all = all.filter { now - ($0.value.last ?? now) < window } }
            return nil
        }
    }
}
