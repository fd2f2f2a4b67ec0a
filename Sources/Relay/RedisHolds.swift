// The answers a session and an address hold across hosts: a sorted set per key in Redis, a place per answer scored
// by when it expires (the answer's time limit and a margin, so a host that died frees its places), checked and taken
// by one script. The chat asks it in the question's task (never on the service thread), after each host's own count
// (AnswerSlots) passed, and gives the place back with the answer's ticket.
public import Contracts
internal import Locking
internal import Logging
internal import Redis

/// `SharedAnswerHolds` in Redis, beside the relay's gates.
public final class RedisHolds: SharedAnswerHolds, Sendable {
    private let link: RelayLink

    /// Counts kept beside `broadcaster`'s gates, on its connections.
    public init(beside broadcaster: RedisBroadcaster) { link = broadcaster.link }

    public func hold(_ token: String, _ limits: [(key: String, most: Int)], expiry: Duration) -> Int? {
        guard !limits.isEmpty else { return nil }
        let arguments = ["\(expiry.milliseconds)", token] + limits.map { "\($0.most)" }
        do {
            // Safe to send twice: the token's own place counts as room.
            let reply = try link.connections.run(RelayScripts.hold, keys: limits.map { link.names.hold($0.key) },
                                                 arguments.map { Array($0.utf8) }, idempotent: true)
            guard case .integer(let index) = reply, index >= 1, index <= limits.count else { return nil }
            return Int(index) - 1
        } catch {
            link.logger.warning("answers held could not be counted across hosts; this host's count holds",
                                metadata: ["cause": "\(error)"])
            return nil
        }
    }

    public func release(_ token: String, keys: [String]) {
        for key in keys {
            do {
                try link.connections.command([Array("ZREM".utf8), link.names.hold(key), Array(token.utf8)])
            } catch {
                link.logger.debug("a place held across hosts was not given back (it expires)", metadata: ["cause": "\(error)"])
            }
        }
    }
}
