// The Hub: stream names → subscribed sockets.
//
// Threading: any thread may publish. Publishing renders the envelopes, appends them to a queue under the hub's
// lock and wakes the service thread, which drains the queue into the sockets' outboxes and writes them when each
// socket is writeable. The subscriber table belongs to the service thread alone (Hub+Following.swift).
//
// Snapshot and live updates meet without a gap or a duplicate, and no snapshot is made on the service thread:
// - Every publish to a stream happens inside that stream's gate (StreamGates) and takes the next number of one
//   sequence as it joins the queue, so a stream's frames are numbered in the order its state changed.
// - A snapshot is made on a snapshot thread inside the same gate: it reads the state of one moment, and the
//   sequence's number at that moment, n. Publishes to that stream wait meanwhile; publishes to others do not.
// - The service thread holds the stream's frames for the socket while its snapshot is being made, then delivers
//   the snapshot and, of what it held, only the frames numbered above n: those before are in the snapshot.
// Everything published before the snapshot is in it; everything after is delivered live, once, in order.
//
// With several hosts (Relay's RedisBroadcaster) the same holds across them: every host's publishes reach this hub
// through `publish(frame:to:)`, numbered here as they come, and a snapshot first passes the relay's fence (a gate per
// stream in Redis, and a wait until every frame published before has been handed on), then this hub's gate as above.
// Frames that may have been missed are made good by `refresh`: the followers get a fresh first snapshot.
public import Contracts
internal import Locking
internal import Words
public import TurboStream

/// Fans envelopes out to the sockets that follow a stream.
public final class Hub: @unchecked Sendable {
    /// A rendered frame, shared by every subscriber it goes to.
    typealias Frame = [UInt8]

    enum Delivery {
        /// A frame published to a stream, with its number in the sequence.
        case stream(String, Frame, number: UInt64)
        case connection(ConnectionID, Frame)
        /// A snapshot made (nil: nothing to send, or the load was called off before it started), and the number
        /// of the last frame of its stream published before it.
        case loaded(Load, Frame?, number: UInt64)
        /// Fresh snapshots for the sockets following these streams (nil: every stream), after frames were missed.
        case refresh(Set<String>?)
    }

    /// The limits on snapshots.
    public let configuration: HubConfiguration

    // Guarded by `lock`.
    private let lock = Lock()
    private var pending: [Delivery] = []
    private var wake: (@Sendable () -> Void)?
    /// Set when the server has stopped: nothing will drain the queue again, so publishes are dropped.
    private var closed = false
    private var snapshots: (any StreamSnapshots)?
    /// What a snapshot passes before its gate, when several hosts publish (Contracts' `SnapshotFence`).
    private var fence: (any SnapshotFence)?
    /// The number of the last frame published to any stream.
    private var sequence: UInt64 = 0

    let gates = StreamGates()
    private let workers: SnapshotWorkers

    // Service thread only (Hub+Following.swift).
    var following: [String: [ConnectionID: Following]] = [:]
    var loadsInFlight: [ConnectionID: Int] = [:]
    var lastLoad: UInt64 = 0

    /// A hub; `snapshots` supplies the state a new subscriber starts from (none: it starts from live updates).
    public init(snapshots: (any StreamSnapshots)? = nil, configuration: HubConfiguration = HubConfiguration()) {
        self.snapshots = snapshots
        self.configuration = configuration
        workers = SnapshotWorkers(threads: configuration.snapshotThreads)
    }

    /// Sets where snapshots come from.
    public func setSnapshots(_ snapshots: (any StreamSnapshots)?) {
        lock.withLock { self.snapshots = snapshots }
    }

    var hasSnapshots: Bool { lock.withLock { snapshots != nil } }

    /// Sends `envelopes` to every socket following `stream`, in one frame, after everything published before.
    public func publish(_ envelopes: [StreamEnvelope], to stream: String) {
        guard !envelopes.isEmpty else { return }
        let frame = Array(StreamEnvelope.render(envelopes).utf8)
        gates.withGate(stream) { enqueue(stream, frame) }
    }

    /// Changes state that snapshots of `stream` read and publishes the change, as one step: no subscriber can
    /// see the change both in its snapshot and live. `update` runs while `stream`'s publishes and snapshots wait
    /// (no other stream's); keep it short.
    public func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
        gates.withGate(stream) {
            let envelopes = update()
            guard !envelopes.isEmpty else { return }
            enqueue(stream, Array(StreamEnvelope.render(envelopes).utf8))
        }
    }

    /// Sends a frame rendered elsewhere (a test harness) to every socket following `stream`, exactly as given. It
    /// must hold only `<turbo-stream>` elements.
    public func publish(rendered html: String, to stream: String) {
        publish(frame: Array(html.utf8), to: stream)
    }

    /// Sends `envelopes` to one socket only (replies, errors), in order with everything else it receives.
    public func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {
        guard !envelopes.isEmpty else { return }
        enqueue(.connection(connection, Array(StreamEnvelope.render(envelopes).utf8)))
    }

    /// Numbers a stream's frame and queues it. Inside the stream's gate.
    private func enqueue(_ stream: String, _ frame: Frame) {
        lock.withLock {
            guard !closed else { return }
            sequence += 1
            pending.append(.stream(stream, frame, number: sequence))
            wake?()
        }
    }

    private func enqueue(_ delivery: Delivery) {
        lock.withLock {
            guard !closed else { return }
            pending.append(delivery)
            wake?()
        }
    }

    /// Wakes the service thread, when attached, to collect work finished on another thread (reading pages).
    func wakeServiceThread() {
        lock.withLock { if !closed { wake?() } }
    }

    /// The number of the last frame published so far.
    var currentNumber: UInt64 { lock.withLock { sequence } }

    // MARK: Snapshot threads

    /// Makes `load`'s snapshot on a snapshot thread and queues it for the service thread.
    func start(_ load: Load) {
        workers.run { [self] in
            guard !load.isCalledOff else { return enqueue(.loaded(load, nil, number: 0)) }
            let (source, fence) = lock.withLock { (snapshots, self.fence) }
            let read = { [self] in
                gates.withGate(load.stream) { () -> ([StreamEnvelope], UInt64) in
                    let envelopes = source?.snapshot(of: load.stream, load.request, words: Words(load.language)) ?? []
                    return (envelopes, currentNumber)
                }
            }
            let (envelopes, number) = fence?.fenced(load.stream, read) ?? read()
            let frame = envelopes.isEmpty ? nil : Array(StreamEnvelope.render(envelopes).utf8)
            enqueue(.loaded(load, frame, number: number))
        }
    }

    // MARK: Service thread

    /// Connects the hub to a running service loop; `wake` must be callable from any thread. Until then,
    /// publishes wait in the queue.
    func attach(wake: @escaping @Sendable () -> Void) {
        lock.withLock {
            self.wake = wake
            closed = false
        }
    }

    /// Disconnects the hub from a service loop that has stopped: the queue is emptied and later publishes are
    /// dropped, so memory cannot grow while nobody drains it. Snapshots still being made are dropped too.
    func detach() {
        lock.withLock {
            wake = nil
            closed = true
            pending = []
        }
        loadsInFlight = [:]
    }

    /// Hands everything published so far to `deliver`, in publish order, one call per receiving socket, and tells
    /// `charge` what each snapshot delivered costs its socket, in messages' worth of its allowance
    /// (``HubConfiguration/snapshotBytesPerMessage``).
    func drain(_ deliver: (ConnectionID, Frame) -> Void, charge: (ConnectionID, Double) -> Void = { _, _ in }) {
        let batch = lock.withLock { () -> [Delivery] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        fanOut(batch, deliver, charge)
    }
}

/// The chat and the admin pages publish through the hub when they run in the server's process; with several hosts,
/// through a relay (Relay's `RedisBroadcaster`), which hands the hub what every host published.
extension Hub: LocalStreams {
    /// Sends a frame numbered by a relay to every socket following `stream`, after everything handed on before.
    public func publish(frame: [UInt8], to stream: String) {
        guard !frame.isEmpty else { return }
        gates.withGate(stream) { enqueue(stream, frame) }
    }

    /// Fresh snapshots for the sockets following `streams` (nil: every stream), made as a subscription's are.
    public func refresh(_ streams: Set<String>?) {
        enqueue(.refresh(streams))
    }

    public func setFence(_ fence: (any SnapshotFence)?) {
        lock.withLock { self.fence = fence }
    }
}
