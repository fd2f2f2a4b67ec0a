// Answers in progress kept in Redis for other hosts' snapshots: a hash per answer (thread, steps, reasoning, the
// number of blocks and each block), written inside the publish that sends each change, so only what changed travels
// (the blocks from the first that differs, usually the last; the reasoning added), and read whole by a snapshot
// holding the stream's gate. A hash expires an hour after its last change, so a host that died leaves nothing for
// long; the lease takes its answer over meanwhile.
public import Contracts
internal import Locking
internal import Logging
internal import Redis

/// `SharedAnswers` in Redis, beside the relay's gates.
public final class RedisAnswers: SharedAnswers, Sendable {
    private let link: RelayLink
    /// Answers whose last write failed: the next one writes them whole.
    private let stale = Locked<Set<Int64>>([])
    static let expiry = Duration.seconds(3600)

    /// Answers kept beside `broadcaster`'s gates, on its connections.
    public init(beside broadcaster: RedisBroadcaster) { link = broadcaster.link }

    public func record(_ id: Int64, _ answer: SharedAnswer, previous: SharedAnswer?) {
        let whole = stale.withLock { $0.remove(id) != nil }
        do {
            // -1: what Redis has is not what this host last recorded (the hash went): the answer whole, at once.
            if try write(id, answer, previous: whole ? nil : previous) == .integer(-1) {
                if try write(id, answer, previous: nil) == .integer(-1) {
                    throw RedisError(.server, "Redis refused the answer written whole")
                }
            }
        } catch {
            stale.withLock { _ = $0.insert(id) }
            link.logger.debug("an answer in progress was not recorded in Redis", metadata: ["cause": "\(error)"])
        }
    }

    /// Writes what changed from `before` (nil: the whole answer).
    private func write(_ id: Int64, _ answer: SharedAnswer, previous before: SharedAnswer?) throws(RedisError) -> RedisReply {
        var first = 0
        if let before {
            while first < min(before.blocks.count, answer.blocks.count), before.blocks[first] == answer.blocks[first] {
                first += 1
            }
        }
        // Bytes, not characters: the part after a byte prefix of valid UTF-8 is valid UTF-8.
        let kept = before?.reasoning.utf8
        let added = kept.map { answer.reasoning.utf8.starts(with: $0) } == true
        let reasoning = added ? String(decoding: answer.reasoning.utf8.dropFirst(kept!.count), as: UTF8.self)
                              : answer.reasoning
        let arguments = ["\(Self.expiry.milliseconds)", "\(answer.thread)", answer.steps.joined(separator: "\n"),
                         added ? "+" : "=", reasoning, "\(answer.blocks.count)", "\(first)", "\(kept?.count ?? 0)"]
            + answer.blocks[first...]
        return try link.connections.run(RelayScripts.recordAnswer, keys: [link.names.answer(id)],
                                        arguments.map { Array($0.utf8) }, idempotent: true)
    }

    public func answer(_ id: Int64) -> SharedAnswer? {
        let reply: RedisReply
        do {
            reply = try link.connections.command([Array("HGETALL".utf8), link.names.answer(id)])
        } catch {
            // The snapshot reading it shows the answer empty: every page gets a fresh snapshot once Redis answers.
            link.logger.warning("an answer in progress could not be read from Redis", metadata: ["cause": "\(error)"])
            link.pending.add(nil)
            return nil
        }
        guard case .array(let items) = reply, !items.isEmpty else { return nil }
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[index].text, let value = items[index + 1].text { fields[name] = value }
        }
        guard let thread = fields["thread"].flatMap({ Int64($0) }), let count = fields["n"].flatMap({ Int($0) }),
              count >= 0 else { return nil }
        let steps = fields["steps"].map { $0.split(separator: "\n").map(String.init) } ?? []
        var blocks: [String] = []
        for index in 0..<count {
            guard let block = fields["b\(index)"] else { return nil }
            blocks.append(block)
        }
        return SharedAnswer(thread: thread, steps: steps, reasoning: fields["reasoning"] ?? "", blocks: blocks)
    }

    public func remove(_ id: Int64) {
        stale.withLock { _ = $0.remove(id) }
        do {
            try link.connections.command([Array("DEL".utf8), link.names.answer(id)])
        } catch {
            link.logger.debug("an ended answer was not removed from Redis (it expires)", metadata: ["cause": "\(error)"])
        }
    }
}
