// Who follows which stream, on the service thread: sockets receiving live frames, and sockets waiting for a
// snapshot (their stream's frames held meanwhile). Snapshots are made elsewhere (Hub.start); here they are asked
// for, counted against the socket's allowance (how many at once, and their bytes), and met with the frames held
// for them (see Hub.swift's header).
internal import Contracts
internal import Locking
internal import Words

extension Hub {
    /// A snapshot asked for by one socket.
    struct Load: Sendable {
        /// A first snapshot, an earlier part, or a first snapshot again because frames were missed (not charged to
        /// the socket: it did not ask).
        enum Kind: Sendable { case subscribe, earlier, refresh }
        let id: UInt64
        let connection: ConnectionID
        let stream: String
        let request: SnapshotRequest
        let kind: Kind
        /// The socket's language: what the snapshot's words are in.
        let language: Language
        /// Raised when the socket stops following the stream: a load not yet started is skipped.
        let calledOff = Locked(false)

        var isCalledOff: Bool { calledOff.current }
    }

    /// How one socket follows one stream.
    enum Following {
        /// Frames numbered above `after` go to the socket as they come; its words are in `language`.
        case live(after: UInt64, language: Language)
        /// Waiting for `load`; frames numbered above `after` are held until it arrives.
        case loading(Load, after: UInt64, held: [(number: UInt64, frame: Frame)])
    }

    /// Why a socket's request for a snapshot was not taken.
    enum Refusal: Error, Equatable {
        /// The socket already waits for as many snapshots as it may.
        case tooManyInFlight
        /// The socket does not follow the stream (earlier parts are for followers).
        case notFollowing
        /// The socket already waits for a snapshot of this stream.
        case busy
    }

    /// Follows `stream` for `connection`: it receives the stream's snapshot when made, then everything published
    /// after it. Refused (nothing changes) when the socket already waits for its share of snapshots.
    /// Its words are in `language`, the socket's.
    func subscribe(_ connection: ConnectionID, to stream: String, in language: Language = .english) throws(Refusal) {
        guard following[stream]?[connection] == nil else { return }
        guard hasSnapshots else {
            following[stream, default: [:]][connection] = .live(after: currentNumber, language: language)
            return
        }
        let load = try newLoad(connection, stream, .latest(limit: configuration.snapshotItems), .subscribe, language)
        following[stream, default: [:]][connection] = .loading(load, after: 0, held: [])
        start(load)
    }

    /// Asks for the part of `stream` before `cursor`, for a socket that follows it; it arrives in order with the
    /// stream's live frames.
    func requestEarlier(_ connection: ConnectionID, in stream: String, before cursor: String,
                        language: Language = .english) throws(Refusal) {
        guard let state = following[stream]?[connection] else { throw .notFollowing }
        guard case .live(let after, _) = state else { throw .busy }
        let load = try newLoad(connection, stream, .earlier(before: cursor, limit: configuration.snapshotItems), .earlier,
                               language)
        following[stream]?[connection] = .loading(load, after: after, held: [])
        start(load)
    }

    private func newLoad(_ connection: ConnectionID, _ stream: String, _ request: SnapshotRequest, _ kind: Load.Kind,
                         _ language: Language) throws(Refusal) -> Load
    {
        let count = loadsInFlight[connection] ?? 0
        guard count < configuration.snapshotsInFlightPerConnection else { throw .tooManyInFlight }
        loadsInFlight[connection] = count + 1
        lastLoad += 1
        return Load(id: lastLoad, connection: connection, stream: stream, request: request, kind: kind, language: language)
    }

    /// Stops following `stream` for `connection`; a snapshot it waits for and that has not started is skipped.
    func unsubscribe(_ connection: ConnectionID, from stream: String) {
        guard var sockets = following[stream], let state = sockets.removeValue(forKey: connection) else { return }
        if case .loading(let load, _, _) = state { load.calledOff.withLock { $0 = true } }
        following[stream] = sockets.isEmpty ? nil : sockets
    }

    /// How many sockets follow `stream` (live or waiting for their snapshot).
    func subscriberCount(_ stream: String) -> Int { following[stream]?.count ?? 0 }

    /// Snapshots `connection` has asked for and not yet received.
    func snapshotsInFlight(_ connection: ConnectionID) -> Int { loadsInFlight[connection] ?? 0 }

    func fanOut(_ batch: [Delivery], _ deliver: (ConnectionID, Frame) -> Void, _ charge: (ConnectionID, Double) -> Void) {
        for delivery in batch {
            switch delivery {
            case .connection(let id, let frame):
                deliver(id, frame)
            case .stream(let stream, let frame, let number):
                guard let sockets = following[stream] else { continue }
                for (id, state) in sockets {
                    switch state {
                    case .live(let after, _):
                        if number > after { deliver(id, frame) }
                    case .loading(let load, let after, var held):
                        guard number > after else { continue }
                        held.append((number, frame))
                        following[stream]?[id] = .loading(load, after: after, held: held)
                    }
                }
            case .loaded(let load, let frame, let number):
                arrived(load, frame, number, deliver, charge)
            case .refresh(let streams):
                reload(streams)
            }
        }
    }

    /// A snapshot is made: it goes to its socket, if that socket still waits for it, between the held frames
    /// already in it and those after it. The work is charged to the socket even when it no longer waits for it.
    private func arrived(
        _ load: Load, _ frame: Frame?, _ number: UInt64, _ deliver: (ConnectionID, Frame) -> Void,
        _ charge: (ConnectionID, Double) -> Void
    ) {
        if let frame, load.kind != .refresh { charge(load.connection, configuration.cost(ofSnapshot: frame.count)) }
        let count = (loadsInFlight[load.connection] ?? 1) - 1
        loadsInFlight[load.connection] = count > 0 ? count : nil
        guard case .loading(let waiting, let after, let held)? = following[load.stream]?[load.connection],
              waiting.id == load.id else { return }
        // A first snapshot replaces what the page showed, so frames already in it are dropped; an earlier part only
        // adds to the page, which has not seen those frames yet.
        if load.kind == .earlier {
            for item in held where item.number <= number { deliver(load.connection, item.frame) }
        }
        if let frame { deliver(load.connection, frame) }
        for item in held where item.number > number { deliver(load.connection, item.frame) }
        following[load.stream]?[load.connection] = .live(after: max(after, number), language: load.language)
    }

    /// Makes a fresh first snapshot for every socket following one of `streams` (nil: all), whatever it waits for:
    /// what it was sent may lack frames. Outside the sockets' allowance of snapshots in flight (they did not ask).
    private func reload(_ streams: Set<String>?) {
        guard hasSnapshots else { return }
        for (stream, sockets) in following where streams?.contains(stream) ?? true {
            for (connection, state) in sockets {
                let language: Language
                switch state {
                case .live(_, let spoken):
                    language = spoken
                case .loading(let load, _, _):
                    load.calledOff.withLock { $0 = true }
                    language = load.language
                }
                loadsInFlight[connection, default: 0] += 1
                lastLoad += 1
                let load = Load(id: lastLoad, connection: connection, stream: stream,
                                request: .latest(limit: configuration.snapshotItems), kind: .refresh, language: language)
                following[stream]?[connection] = .loading(load, after: 0, held: [])
                start(load)
            }
        }
    }
}

extension Hub {
    /// Streams whose gate is open now (tests: gates do not pile up).
    var openGates: Int { gates.count }
}
