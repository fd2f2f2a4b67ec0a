// Questions a minute across hosts: a sorted set per session and per address in Redis, the questions of the last
// window scored by Redis' own clock (hosts' clocks may differ), checked and counted by one script, so two hosts
// admitting at once cannot both take the last place. The chat asks it off the service thread (in the question's task),
// after each host's own count (QuestionLimiter) passed.
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
        guard !limits.isEmpty else { return nil }
        let arguments = ["\(window.milliseconds)", tokens.next()] + limits.map { "\($0.perMinute)" }
        let reply: RedisReply
        do {
            // Not sent twice: the question would be counted twice.
            reply = try link.connections.run(RelayScripts.admit, keys: limits.map { link.names.rate($0.key) },
                                        arguments.map { Array($0.utf8) }, idempotent: false)
        } catch {
            link.logger.warning("questions a minute could not be counted across hosts; this host's count holds",
                           metadata: ["cause": "\(error)"])
            return nil
        }
        guard case .array(let parts) = reply, parts.count == 2, case .integer(let index) = parts[0],
              case .integer(let wait) = parts[1], index >= 1, index <= limits.count else { return nil }
        return (Int(index) - 1, .milliseconds(wait))
    }
}
