// The subscriber's run thread: connect, subscribe, read until the connection drops, wait, reconnect.
//
// The thread sleeps in `poll` on the Redis socket and the wake-up pipe (Wakeup.swift): a message wakes it to read,
// `subscribe`/`unsubscribe`/`stop` wake it through the pipe, and the poll's timeout is the health check's next due
// time. A quiet connection gets a PING after `healthCheckInterval`; no answer within `commandTimeout` counts as lost
// (a Redis whose host vanished sends no FIN for the kernel to see).
internal import Locking

extension RedisSubscriber {
    /// Runs until `stop()`: call it on a thread of its own (`spawnThread { subscriber.run() }`); returns at once if
    /// the subscriber was stopped before, or is already running.
    public func run() {
        let starting = shared.withLock { shared -> Bool in
            guard shared.state == .idle, !shared.stopRequested else { return false }
            shared.state = .connecting
            return true
        }
        guard starting else {
            shared.withLock { if $0.stopRequested { $0.state = .stopped } }
            return
        }
        var delay = backoff.first
        var outage = false
        while !stopRequested {
            do {
                shared.withLock { if !$0.stopRequested { $0.state = .connecting } }
                let connection = try RedisConnection(configuration)
                delay = backoff.first
                try serve(connection, outage: &outage)
                break  // stopped
            } catch {
                if !outage {
                    outage = true
                    onEvent(.lost(error))
                }
                shared.withLock { if !$0.stopRequested { $0.state = .waitingToReconnect(delay: delay) } }
                sleep(delay)
                delay = min(delay * 2, backoff.limit)
            }
        }
        shared.withLock { $0.state = .stopped }
    }

    private var stopRequested: Bool { shared.current.stopRequested }

    /// Waits `delay`, or less if `stop()` is called.
    private func sleep(_ delay: Duration) {
        let clock = ContinuousClock()
        let deadline = clock.now + delay
        while !stopRequested, clock.now < deadline {
            _ = wakeup.wait(socket: nil, timeout: deadline - clock.now)
            wakeup.drain()
        }
    }

    /// Subscribes on `connection` and hands on what arrives until `stop()` (returns) or a failure (throws). An
    /// `outage` ends with `.resubscribed`, when Redis has confirmed every subscription: a connection that drops
    /// before then is the same outage, not a new `.lost`.
    private func serve(_ connection: RedisConnection, outage: inout Bool) throws(RedisError) {
        var link = Link(raw: connection.raw, owner: self, owesResubscribed: outage)
        defer { outage = link.owesResubscribed }
        shared.withLock { if !$0.stopRequested { $0.state = .connected } }
        let clock = ContinuousClock()
        var lastHeard = clock.now
        var pingSent: ContinuousClock.Instant?
        while true {
            if stopRequested { return }
            wakeup.drain()
            try link.update(to: shared.current.wanted)
            let now = clock.now
            if let pingSent, now - pingSent >= configuration.commandTimeout {
                throw RedisError(.timedOut, """
                    Redis at \(configuration.address) did not answer a PING within \(configuration.commandTimeout)
                    """)
            }
            if pingSent == nil, now - lastHeard >= healthCheckInterval {
                try link.ping()
                pingSent = now
            }
            let due = pingSent.map { $0 + configuration.commandTimeout } ?? lastHeard + healthCheckInterval
            let ready = wakeup.wait(socket: link.raw.fileDescriptor, timeout: due - clock.now)
            guard ready.socket else { continue }
            try link.raw.readAvailable()
            lastHeard = clock.now
            pingSent = nil
            while let reply = try link.raw.nextReply() { try link.handle(reply) }
        }
    }
}

/// What one connection has subscribed to, and the replies it reads: owned by the run thread alone.
private struct Link {
    let raw: RawConnection
    let owner: RedisSubscriber
    /// What this connection has asked Redis for.
    var active: Set<RedisSubscriber.Subscription> = []
    /// Asked for, not yet confirmed.
    var pending: Set<RedisSubscriber.Subscription> = []
    /// `.resubscribed` is due once `pending` empties (a reconnection after an outage).
    var owesResubscribed: Bool

    init(raw: RawConnection, owner: RedisSubscriber, owesResubscribed: Bool) {
        self.raw = raw
        self.owner = owner
        self.owesResubscribed = owesResubscribed
    }

    /// Sends SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE and PUNSUBSCRIBE for the difference between `wanted` and what the
    /// connection has (never an UNSUBSCRIBE without names: that would be "all").
    mutating func update(to wanted: Set<RedisSubscriber.Subscription>) throws(RedisError) {
        let added = wanted.subtracting(active), removed = active.subtracting(wanted)
        for (command, subscriptions) in [("SUBSCRIBE", added.channels), ("PSUBSCRIBE", added.patterns),
                                         ("UNSUBSCRIBE", removed.channels), ("PUNSUBSCRIBE", removed.patterns)]
        where !subscriptions.isEmpty {
            try raw.append([Array(command.utf8)] + subscriptions.map { Array($0.utf8) })
        }
        guard !added.isEmpty || !removed.isEmpty else { return resubscribedIfDue() }
        try raw.flush()
        active = wanted
        pending.formUnion(added)
        pending.subtract(removed)
        resubscribedIfDue()
    }

    /// A PING, which Redis answers in subscribed mode too (`["pong", ""]`).
    func ping() throws(RedisError) {
        try raw.append([Array("PING".utf8)])
        try raw.flush()
    }

    /// One reply read in subscribed mode: a message, a confirmation, a PING's answer, or an error (thrown: the
    /// connection is dropped and made again).
    mutating func handle(_ reply: RedisReply) throws(RedisError) {
        guard case .array(let parts) = reply, let kind = parts.first?.text else {
            if case .error(let message) = reply { throw RedisError.said(message) }
            return  // +PONG, when nothing is subscribed
        }
        let name = parts.count > 1 ? parts[1].text ?? "" : ""
        switch (kind, parts.count) {
        case ("message", 3):
            guard active.contains(.channel(name)), case .bulk(let payload) = parts[2] else { return }
            owner.onMessage(.init(channel: name, pattern: nil, payload: payload))
        case ("pmessage", 4):
            guard active.contains(.pattern(name)), case .bulk(let payload) = parts[3] else { return }
            owner.onMessage(.init(channel: parts[2].text ?? "", pattern: name, payload: payload))
        case ("subscribe", 3), ("psubscribe", 3):
            let subscription: RedisSubscriber.Subscription = kind == "subscribe" ? .channel(name) : .pattern(name)
            pending.remove(subscription)
            owner.onEvent(.subscribed(subscription))
            resubscribedIfDue()
        case ("unsubscribe", 3), ("punsubscribe", 3):
            owner.onEvent(.unsubscribed(kind == "unsubscribe" ? .channel(name) : .pattern(name)))
        default:
            return  // ["pong", ""]
        }
    }

    private mutating func resubscribedIfDue() {
        guard owesResubscribed, pending.isEmpty else { return }
        owesResubscribed = false
        owner.onEvent(.resubscribed)
    }
}

extension Set<RedisSubscriber.Subscription> {
    fileprivate var channels: [String] {
        compactMap { if case .channel(let name) = $0 { name } else { nil } }.sorted()
    }

    fileprivate var patterns: [String] {
        compactMap { if case .pattern(let name) = $0 { name } else { nil } }.sorted()
    }
}
