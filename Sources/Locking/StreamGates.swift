// One lock per stream that is in use: what orders a stream's publishes against its snapshots, without holding up
// the publishes of any other stream (the Hub's, and the Redis relay's on each host). A gate exists while someone
// holds or waits for it, then goes.

/// Per-stream locks, made on demand and dropped when unused.
public final class StreamGates: @unchecked Sendable {
    // @unchecked: `gates` and each gate's `users` are touched only inside `lock`.
    private final class Gate {
        let lock = Lock()
        var users = 0
    }

    private let lock = Lock()
    private var gates: [String: Gate] = [:]

    /// No gates yet.
    public init() {}

    /// Runs `body` holding `stream`'s gate: no other `withGate` of the same stream runs meanwhile.
    public func withGate<Result>(_ stream: String, _ body: () -> Result) -> Result {
        let gate = lock.withLock { () -> Gate in
            let gate = gates[stream] ?? Gate()
            gate.users += 1
            gates[stream] = gate
            return gate
        }
        defer {
            lock.withLock {
                gate.users -= 1
                if gate.users == 0 { gates[stream] = nil }
            }
        }
        return gate.lock.withLock(body)
    }

    /// Streams with a gate now (tests: gates do not pile up).
    public var count: Int { lock.withLock { gates.count } }
}
