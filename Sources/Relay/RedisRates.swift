// Questions a minute across hosts: a sorted set per session and per address in Redis, each question a place that
// expires a window after it, by Redis' own clock (hosts' clocks may differ), checked and counted by one script
// (RedisHolds.swift's, which the answers held use too), so two hosts admitting at once cannot both take the last
// place. The chat asks it off the service thread (in the question's task), after each host's own count
// (QuestionLimiter) passed.
public import Contracts
internal import Locking
internal import Logging
internal import Redis

/// `SharedRateLimits` in Redis, beside the relay's gates.
public final class RedisRates: SharedRateLimits, Sendable {
    private let link: RelayLink
    private let tokens = TokenSource()

    /// Counts kept beside `broadcaster`'s gates, on its connections.
    public init(beside broadcaster: RedisBroadcaster) { link = broadcaster.link }

    public func admit(_ limits: [(key: String, perMinute: Int)], window: Duration) -> (index: Int, wait: Duration)? {
        do {
            // A question holds a place for the window, never given back.
            return try link.hold(tokens.next(), limits.map { (link.names.rate($0.key), $0.perMinute) }, expiry: window)
        } catch {
            link.logger.warning("questions a minute could not be counted across hosts; this host's count holds",
                                metadata: ["cause": "\(error)"])
            return nil
        }
    }
}
