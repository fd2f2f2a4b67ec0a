// The answers a session and an address hold across hosts: a sorted set per key in Redis, a place per answer scored
// by when it expires (the answer's time limit and a margin, so a host that died frees its places), checked and taken
// by one script, the one the questions a minute use too (RedisRates.swift). The chat asks it in the question's task
// (never on the service thread), after each host's own count (AnswerSlots) passed, and gives the place back with the
// answer's ticket.
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
        do {
            return try link.hold(token, limits.map { (link.names.hold($0.key), $0.most) }, expiry: expiry)?.index
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

extension RelayLink {
    /// Holds a place for `token` in each sorted set (`RelayScripts.hold`), lasting `expiry`, if each has fewer than its
    /// most; otherwise the index of the first full one and how long until it has room. Safe to send twice.
    func hold(_ token: String, _ places: [(key: [UInt8], most: Int)], expiry: Duration)
        throws(RedisError) -> (index: Int, wait: Duration)? {
        guard !places.isEmpty else { return nil }
        let arguments = [Array("\(expiry.milliseconds)".utf8), Array(token.utf8)] + places.map { Array("\($0.most)".utf8) }
        let reply = try connections.run(RelayScripts.hold, keys: places.map(\.key), arguments, idempotent: true)
        guard case .array(let parts) = reply, parts.count == 2, case .integer(let index) = parts[0],
              case .integer(let wait) = parts[1], index >= 1, index <= places.count else { return nil }
        return (Int(index) - 1, .milliseconds(wait))
    }
}
