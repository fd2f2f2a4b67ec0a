// The Hub: stream names → subscribed sockets.
//
// Threading: any thread may publish. Publishing renders the envelopes, appends them to a queue under the hub's
// lock and wakes the service thread, which drains the queue into the sockets' outboxes and writes them when each
// socket is writeable. The subscriber table belongs to the service thread alone.
//
// Snapshot and live updates meet without a gap or a duplicate: a subscribe drains the queue and takes the
// snapshot under the same lock that orders publishes, then registers the subscriber before the next drain.
// Everything published before that moment is in the snapshot; everything after is delivered live.
internal import Locking
public import TurboStream

/// A socket connection's id, unique for the life of the server.
public typealias ConnectionID = UInt64

/// What a new subscriber to a stream receives first: the stream's current state.
public protocol StreamSnapshots: Sendable {
    /// Envelopes that bring a page showing nothing of `stream` up to its current state. Called on the service
    /// thread under the hub's lock, so publishers that change this state must do so inside
    /// ``Hub/publish(to:_:)``. Keep it quick: publishers wait meanwhile.
    func snapshot(of stream: String) -> [StreamEnvelope]
}

/// Fans envelopes out to the sockets that follow a stream.
public final class Hub: @unchecked Sendable {
    /// A rendered frame, shared by every subscriber it goes to.
    typealias Frame = [UInt8]

    enum Delivery {
        case stream(String, Frame)
        case connection(ConnectionID, Frame)
    }

    // Guarded by `lock`.
    private let lock = Lock()
    private var pending: [Delivery] = []
    private var wake: (@Sendable () -> Void)?
    /// Set when the server has stopped: nothing will drain the queue again, so publishes are dropped.
    private var closed = false
    private var snapshots: (any StreamSnapshots)?

    // Service thread only.
    private var subscribers: [String: Set<ConnectionID>] = [:]

    /// A hub; `snapshots` supplies the state a new subscriber starts from (none: it starts from live updates).
    public init(snapshots: (any StreamSnapshots)? = nil) {
        self.snapshots = snapshots
    }

    /// Sets where snapshots come from.
    public func setSnapshots(_ snapshots: (any StreamSnapshots)?) {
        lock.withLock { self.snapshots = snapshots }
    }

    /// Sends `envelopes` to every socket following `stream`, in one frame, after everything published before.
    public func publish(_ envelopes: [StreamEnvelope], to stream: String) {
        guard !envelopes.isEmpty else { return }
        enqueue(.stream(stream, Array(StreamEnvelope.render(envelopes).utf8)))
    }

    /// Changes state that snapshots of `stream` read and publishes the change, as one step: no subscriber can
    /// see the change both in its snapshot and live. `update` runs under the hub's lock; keep it short.
    public func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
        lock.withLock {
            let envelopes = update()
            guard !envelopes.isEmpty, !closed else { return }
            pending.append(.stream(stream, Array(StreamEnvelope.render(envelopes).utf8)))
            wake?()
        }
    }

    /// Sends a frame rendered elsewhere (another host's relay, a test harness) to every socket following
    /// `stream`, exactly as given. It must hold only `<turbo-stream>` elements.
    public func publish(rendered html: String, to stream: String) {
        guard !html.isEmpty else { return }
        enqueue(.stream(stream, Array(html.utf8)))
    }

    /// Sends `envelopes` to one socket only (replies, errors), in order with everything else it receives.
    public func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {
        guard !envelopes.isEmpty else { return }
        enqueue(.connection(connection, Array(StreamEnvelope.render(envelopes).utf8)))
    }

    private func enqueue(_ delivery: Delivery) {
        lock.withLock {
            guard !closed else { return }
            pending.append(delivery)
            wake?()
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
    /// dropped, so memory cannot grow while nobody drains it.
    func detach() {
        lock.withLock {
            wake = nil
            closed = true
            pending = []
        }
    }

    /// Hands everything published so far to `deliver`, in publish order, one call per receiving socket.
    func drain(_ deliver: (ConnectionID, Frame) -> Void) {
        let batch = lock.withLock { () -> [Delivery] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        fanOut(batch, deliver)
    }

    /// Follows `stream` for `connection`: delivers what was published before, then the snapshot to the new
    /// subscriber, who receives everything published from now on.
    func subscribe(_ connection: ConnectionID, to stream: String, _ deliver: (ConnectionID, Frame) -> Void) {
        let (batch, snapshot) = lock.withLock { () -> ([Delivery], [StreamEnvelope]) in
            defer { pending.removeAll(keepingCapacity: true) }
            return (pending, snapshots?.snapshot(of: stream) ?? [])
        }
        fanOut(batch, deliver)
        subscribers[stream, default: []].insert(connection)
        if !snapshot.isEmpty { deliver(connection, Array(StreamEnvelope.render(snapshot).utf8)) }
    }

    /// Stops following `stream` for `connection`.
    func unsubscribe(_ connection: ConnectionID, from stream: String) {
        guard var set = subscribers[stream] else { return }
        set.remove(connection)
        subscribers[stream] = set.isEmpty ? nil : set
    }

    /// How many sockets follow `stream`.
    func subscriberCount(_ stream: String) -> Int { subscribers[stream]?.count ?? 0 }

    private func fanOut(_ batch: [Delivery], _ deliver: (ConnectionID, Frame) -> Void) {
        for delivery in batch {
            switch delivery {
            case .connection(let id, let frame):
                deliver(id, frame)
            case .stream(let stream, let frame):
                for id in subscribers[stream] ?? [] { deliver(id, frame) }
            }
        }
    }
}
