// Broadcasts across hosts through Redis (docs/many-hosts.md, "Broadcasts through Redis"): the single-host Hub's
// promises (a stream's frames in order, none missing, none twice, a snapshot meeting them exactly) kept for pages on
// every host.
//
// - A gate per stream, in Redis: a publish to S takes S's gate, changes the state snapshots read (inside `update`),
//   and publishes the frame numbered by one global sequence, giving the gate back in the same script. A snapshot of S
//   on any host takes the same gate, reads the sequence's number N, waits until this host's relay has handed on
//   frame N, then reads S's state under the local Hub's gate: every frame of S published before is then in the
//   Hub's queue, none can be published meanwhile, and the Hub's own numbering keeps snapshot and frames apart.
// - Every host subscribes to every stream's channel (one pattern) and hands each frame to its Hub, its own included,
//   so every page on every host sees one order; a frame for a stream nobody here follows costs a lookup.
// - Loss: a dropped subscription (`.lost` then `.resubscribed`), a gap in the sequence, or a frame flagged `r` gives
//   the pages following the affected streams here a fresh snapshot. While Redis cannot be reached, publishes go to
//   this host's pages only; once it answers, a marker per such stream (sent by a thread of its own, each second)
//   refreshes every host's pages. A snapshot that could not be fenced, or that outlasted its gate, is made good the
//   same way.
// - On this host, a stream's publishes and fenced snapshots also take a local gate of the relay's (`gates`), so they
//   stay apart from each other whether Redis answers or not; the relay's thread never takes it.
//
// State, one owner each: the relay's position (`relay`, written by the subscriber's thread, waited on by fences),
// the streams whose pages are to be refreshed everywhere once Redis answers (`link.pending`).
public import Contracts
internal import Locking
public import Logging
public import Redis
public import Telemetry
public import TurboStream
#if canImport(Glibc)
internal import Glibc
#endif

/// A `Broadcaster` for several hosts: publishes through Redis and relays every host's frames to this one's sockets.
public final class RedisBroadcaster: Broadcaster, SnapshotFence, Sendable {
    /// The time limits of the gates and the fence.
    public struct Timing: Sendable {
        /// How long a gate stays taken when its holder dies (a publish or a snapshot takes far less).
        public var gateExpiry: Duration = .seconds(10)
        /// The longest a snapshot waits for the relay to catch up before it reads anyway (a refresh then follows).
        public var fenceWait: Duration = .seconds(2)
        /// The longest a publish waits for a stream's gate before it publishes here only.
        public var gateWait: Duration = .seconds(12)

        public init() {}
    }

    /// Where the relay stands in the sequence.
    struct Position: Sendable {
        /// The number of the last message handed on; nil until this host's sync marker arrived after (re)subscribing.
        var last: UInt64?
        /// The sync marker this host is waiting for (its number), after a (re)subscription.
        var awaitedSync: UInt64?
        var subscribed = false
        /// Each `.lost` raises it: a fence waiting across a loss stops waiting.
        var outages = 0

        /// Subscribed, and its own sync marker seen.
        var isInStep: Bool { subscribed && last != nil && awaitedSync == nil }
    }

    public let configuration: RedisConfiguration
    let local: any LocalStreams
    let names: RelayNames
    let timing: Timing
    let logger: Logger
    let connections: RedisConnections
    /// What `RedisAnswers` and `RedisRates` beside it use.
    let link: RelayLink
    let relay = Watched(Position())
    /// What orders this host's publishes and fenced snapshots of one stream among themselves, whether Redis answers
    /// or not (the relay never takes it, so it cannot wait on the relay).
    private let gates = StreamGates()
    /// Raised by `stop()`: ends the thread that sends pending refresh markers.
    private let stopped = Completion()
    private let subscriber = Locked<RedisSubscriber?>(nil)
    private let tokens: TokenSource
    let metrics: RelayMetrics?
    /// What writes this host's state in Redis again when the subscription is back (Redis may have restarted empty);
    /// returns the streams whose pages everywhere should then be refreshed.
    private let resubscribed = Locked<(@Sendable () -> Set<String>)?>(nil)

    /// A broadcaster relaying through the Redis `configuration` names into `local` (this host's Hub). Nothing is
    /// relayed before `start()`.
    /// `metrics`: where the relay's figures go (`quarry_relay_…`); nil: nowhere.
    public init(configuration: RedisConfiguration, local: any LocalStreams, timing: Timing = Timing(),
                metrics registry: MetricsRegistry? = nil, logger: Logger = Logger(label: "quarry.relay")) {
        self.configuration = configuration
        self.local = local
        self.timing = timing
        self.logger = logger
        names = RelayNames(database: configuration.database)
        connections = RedisConnections(configuration: configuration)
        link = RelayLink(connections: connections, names: names, logger: logger, pending: PendingRefreshes())
        tokens = TokenSource()
        let metrics = registry.map(RelayMetrics.init)
        self.metrics = metrics
        if let registry, let metrics {
            let relay = self.relay
            registry.onScrape { metrics.inStep.set(relay.withLock { $0.isInStep } ? 1 : 0) }
        }
    }

    // MARK: Life

    /// Subscribes on a thread of its own and waits until the relay is in step (at most `timeout`); throws, saying
    /// why, when Redis cannot be reached. Snapshots of the local streams pass this broadcaster's fence from here on.
    public func start(timeout: Duration = .seconds(5)) throws(RedisError) {
        try connections.ping()
        let subscriber = RedisSubscriber(configuration: configuration, onMessage: { [self] in relayed($0) },
                                         onEvent: { [self] in happened($0) })
        subscriber.subscribe([.pattern(names.pattern)])
        self.subscriber.withLock { $0 = subscriber }
        guard let thread = spawnThread({ subscriber.run() }) else {
            throw RedisError(.unavailable, "No thread could be started for the Redis subscription")
        }
        thread.detach()
        guard relay.wait(until: { $0.isInStep }, timeout: timeout) else {
            subscriber.stop()
            throw RedisError(.timedOut, "Redis at \(configuration.address) did not relay a message within \(timeout)")
        }
        local.setFence(self)
        // Pending refresh markers go out within a second of Redis answering, off every publisher's path.
        let flusher: @Sendable () -> Void = { [self] in
            while !stopped.wait(seconds: 1) { sendPendingMarkers() }
        }
        spawnThread(flusher)?.detach()
    }

    /// Stops relaying (the subscriber's thread ends); publishes go on through Redis.
    public func stop() {
        local.setFence(nil)
        stopped.signal()
        subscriber.withLock { $0 }?.stop()
    }

    /// Sets what runs, on a thread of its own, each time the subscription is back after a loss: it writes this host's
    /// state in Redis again (answers in progress) and returns the streams to refresh on every host afterwards.
    public func onResubscribed(_ restore: @escaping @Sendable () -> Set<String>) {
        resubscribed.withLock { $0 = restore }
    }

    /// Whether the relay is subscribed and in step now (for health checks and tests).
    public var isInStep: Bool { relay.withLock { $0.isInStep } }

    // MARK: Broadcaster

    public func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
        gates.withGate(stream) { publishHoldingGate(stream, update) }
    }

    private func publishHoldingGate(_ stream: String, _ update: () -> [StreamEnvelope]) {
        let token = tokens.next()
        // The gate is taken and the frame published on one connection: the gate's answer shows it works.
        let connection = connections.next
        do {
            _ = try take(stream, token, on: connection, waitingUpTo: timing.gateWait)
        } catch {
            // Redis is away (or the gate stuck): this host's pages get the frame; the others a fresh snapshot later
            // (noted after the update, so the marker cannot overtake it).
            metrics?.localOnly.increment()
            local.publish(to: stream, update)
            refreshLater(stream, because: error)
            return
        }
        let envelopes = update()
        let frame = envelopes.isEmpty ? [] : Array(StreamEnvelope.render(envelopes).utf8)
        do throws(RedisError) {
            guard frame.count <= configuration.maxPayloadBytes else {
                throw RedisError(.tooLarge, "A frame of \(frame.count) bytes for \(stream) is over the Redis limit")
            }
            // Not sent twice: a second run would publish the frame twice.
            _ = try connections.run(RelayScripts.publish, keys: [names.gate(stream), names.sequence],
                                    [Array(token.utf8), names.channel(stream), frame], on: connection, idempotent: false)
        } catch {
            // Whether it went is not known: every page following the stream, here and elsewhere, starts again from
            // a snapshot (this host's now, the others' when Redis answers).
            _ = release(stream, token)
            metrics?.refreshes[.uncertain]?.increment()
            local.refresh([stream])
            refreshLater(stream, because: error)
            return
        }
        if !frame.isEmpty { metrics?.published.increment() }
    }

    public func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {
        local.send(envelopes, to: connection)
    }

    // MARK: SnapshotFence

    public func fenced<Result>(_ stream: String, _ body: () -> Result) -> Result {
        gates.withGate(stream) { fencedHoldingGate(stream, body) }
    }

    private func fencedHoldingGate<Result>(_ stream: String, _ body: () -> Result) -> Result {
        let token = tokens.next()
        let number: UInt64
        do {
            number = try take(stream, token, on: connections.next, waitingUpTo: timing.gateWait)
        } catch {
            // Other hosts' publishes cannot be kept apart now: this host's are (its own gate), and once Redis answers
            // a marker gives the stream's pages everywhere a fresh snapshot.
            refreshLater(stream, because: error)
            return body()
        }
        let outages = relay.current.outages
        // Not subscribed, or subscribed again meanwhile: the refresh that follows the subscription's return reads later.
        let caughtUp = relay.wait(until: { !$0.subscribed || $0.outages != outages
                                           || ($0.awaitedSync == nil && ($0.last ?? 0) >= number) },
                                  timeout: timing.fenceWait)
        if !caughtUp {
            // A marker, not a refresh now: it reaches this host behind the frames the relay is late with.
            logger.warning("a snapshot was read before the relay caught up; its pages will get a fresh one",
                           metadata: ["stream": "\(stream)", "waited_for": "\(number)"])
            metrics?.refreshes[.uncertain]?.increment()
            link.pending.add(stream)
        }
        let result = body()
        if !release(stream, token) {
            // The gate expired while the snapshot was read: another host may have published into it.
            logger.warning("a snapshot outlasted its gate; its pages get a fresh one", metadata: ["stream": "\(stream)"])
            metrics?.refreshes[.uncertain]?.increment()
            local.refresh([stream])
        }
        return result
    }

    // MARK: The gate

    /// Takes `stream`'s gate with `token`, waiting while another holds it; returns the sequence's number then. On
    /// failure the gate is given back, in case the script ran and only its answer was lost.
    func take(_ stream: String, _ token: String, on connection: RedisPublisher,
              waitingUpTo limit: Duration) throws(RedisError) -> UInt64 {
        do {
            return try waitForGate(stream, token, on: connection, limit)
        } catch {
            _ = release(stream, token)
            throw error
        }
    }

    private func waitForGate(_ stream: String, _ token: String, on connection: RedisPublisher,
                             _ limit: Duration) throws(RedisError) -> UInt64 {
        let clock = ContinuousClock(), deadline = clock.now + limit
        var pause = Duration.microseconds(200)
        let expiry = Array("\(timing.gateExpiry.milliseconds)".utf8)
        while true {
            let reply = try connections.run(RelayScripts.take, keys: [names.gate(stream), names.sequence],
                                            [Array(token.utf8), expiry], on: connection, idempotent: true)
            guard case .integer(let number) = reply else {
                throw RedisError(.protocolViolation, "Redis answered the gate's script with \(reply)")
            }
            if number >= 0 { return UInt64(number) }
            guard clock.now + pause < deadline else {
                throw RedisError(.timedOut, "The gate of \(stream) stayed taken for \(limit)")
            }
            sleep(pause)
            pause = min(pause * 2, .milliseconds(5))
        }
    }

    /// Gives `stream`'s gate back if `token` still holds it; false when it did not (it expired). When Redis cannot
    /// be reached it expires by itself, and true is returned: the outage's own refresh follows.
    private func release(_ stream: String, _ token: String) -> Bool {
        let reply = try? connections.run(RelayScripts.release, keys: [names.gate(stream)], [Array(token.utf8)],
                                         idempotent: true)
        return reply.map { $0 == .integer(1) } ?? true
    }

    private func sleep(_ pause: Duration) {
        var wait = timespec(tv_sec: Int(pause.components.seconds),
                            tv_nsec: Int(pause.components.attoseconds / 1_000_000_000))
        _ = nanosleep(&wait, nil)
    }

    // MARK: Fresh snapshots once Redis answers

    /// Notes that `stream`'s pages everywhere need a fresh snapshot once Redis answers, saying so in the log once
    /// an outage.
    private func refreshLater(_ stream: String, because error: RedisError) {
        if link.pending.add(stream) {
            logger.warning("Redis cannot be used: this host's pages are kept up to date, the others' when it answers",
                           metadata: ["cause": "\(error)"])
        }
    }

    /// Sends a marker for each pending stream (one for every stream past `PendingRefreshes.most`), so every host's
    /// pages following them get a fresh snapshot; what cannot be sent stays pending.
    func sendPendingMarkers() {
        guard let streams = link.pending.take() else { return }
        // nil: every stream, the sync channel's refresh marker.
        let channels = streams.map { $0.sorted().map(names.channel) } ?? [names.channel("")]
        for (index, channel) in channels.enumerated() {
            do {
                // A marker twice costs a second refresh, nothing more.
                _ = try connections.run(RelayScripts.marker, keys: [names.sequence], [channel, Array("r".utf8)],
                                        idempotent: true)
            } catch {
                if let streams {
                    for stream in streams.sorted()[index...] { link.pending.add(stream) }
                } else {
                    link.pending.add(nil)
                }
                return
            }
        }
        logger.notice("Redis answers: pages on every host following what was published meanwhile get a fresh snapshot",
                      metadata: ["streams": "\(streams.map { "\($0.count)" } ?? "all")"])
    }

    // MARK: The relay (the subscriber's thread)

    func relayed(_ message: RedisSubscriber.Message) {
        guard message.channel.hasPrefix(names.channelPrefix), let relayed = RelayMessage(message.payload) else { return }
        let stream = String(message.channel.dropFirst(names.channelPrefix.count))
        let position = relay.current
        if relayed.flag == .sync, position.awaitedSync == relayed.number {
            // In step: everything published before the marker has been handed on or missed, and the refresh that
            // the (re)subscription asked for reads after it.
            relay.withLock {
                $0.last = relayed.number
                $0.awaitedSync = nil
            }
            return
        }
        let gap = position.awaitedSync == nil && position.last.map { relayed.number != $0 + 1 } == true
        if relayed.flag == .frame, !stream.isEmpty {
            metrics?.relayed.increment()
            local.publish(frame: Array(relayed.frame), to: stream)
        }
        if relayed.flag == .refresh {
            metrics?.refreshes[.marker]?.increment()
            local.refresh(stream.isEmpty ? nil : [stream])
        }
        relay.withLock { $0.last = relayed.number }
        if gap {
            logger.warning("frames were missed; pages on this host get a fresh snapshot",
                           metadata: ["after": "\(position.last ?? 0)", "next": "\(relayed.number)"])
            metrics?.refreshes[.gap]?.increment()
            local.refresh(nil)
        }
    }

    func happened(_ event: RedisSubscriber.Event) {
        switch event {
        case .subscribed(.pattern(let pattern)) where pattern == names.pattern:
            // The first subscription; after an outage `.resubscribed` follows, and syncs.
            let first = relay.withLock { position -> Bool in
                position.subscribed = true
                return position.outages == 0
            }
            if first { sync(refreshing: false) }
        case .lost(let error):
            relay.withLock {
                $0.subscribed = false
                $0.outages += 1
            }
            logger.warning("the Redis subscription was lost; pages on this host get a fresh snapshot when it is back",
                           metadata: ["cause": "\(error)"])
        case .resubscribed:
            relay.withLock { $0.subscribed = true }
            logger.notice("the Redis subscription is back")
            sync(refreshing: true)
            // Off the relay's thread: restoring takes gates and waits for Redis, while the relay must go on.
            let restore = resubscribed.current
            let work: @Sendable () -> Void = { [self] in
                for stream in restore?() ?? [] { link.pending.add(stream) }
                sendPendingMarkers()
            }
            if let thread = spawnThread(work) { thread.detach() } else { work() }
        default:
            break
        }
    }

    /// Publishes a sync marker and waits for it (`relayed`) before the relay counts as in step, then gives the pages
    /// here a fresh snapshot when frames may have been missed.
    private func sync(refreshing: Bool) {
        do {
            // Sent again on a connection Redis closed (after a restart, the first command of each finds that out): a
            // marker that went twice is one the relay does not wait for, and passes as any other message.
            let reply = try connections.run(RelayScripts.marker, keys: [names.sequence],
                                            [names.channel(""), Array("s".utf8)], idempotent: true)
            guard case .integer(let number) = reply, number > 0 else {
                throw RedisError(.protocolViolation, "Redis answered the marker's script with \(reply)")
            }
            relay.withLock { $0.awaitedSync = UInt64(number) }
        } catch {
            // In step with no marker: a gap may be seen (a refresh) where there was none; nothing is missed.
            logger.warning("the relay's sync marker could not be published", metadata: ["cause": "\(error)"])
            relay.withLock {
                $0.awaitedSync = nil
                $0.last = $0.last ?? 0
            }
        }
        if refreshing {
            metrics?.refreshes[.resubscribed]?.increment()
            local.refresh(nil)
        }
    }
}

/// Unique gate tokens: this process's random part and a count.
final class TokenSource: Sendable {
    private let prefix = "\(UInt64.random(in: 1...UInt64.max)):"
    private let count = Locked<UInt64>(0)

    func next() -> String {
        prefix + "\(count.withLock { count in count += 1; return count })"
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
