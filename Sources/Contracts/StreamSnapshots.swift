// What a new subscriber to a stream receives first, and what it may ask for later: the stream's current state,
// its latest part first (a thread's last exchanges), earlier parts on request.
public import TurboStream
public import Words

/// Which part of a stream's state a load asks for.
public enum SnapshotRequest: Sendable, Equatable {
    /// The state a page showing nothing of the stream starts from: its latest `limit` items (a thread's exchanges),
    /// with a way to ask for earlier ones when there are more.
    case latest(limit: Int)
    /// The `limit` items before `cursor` (a value the stream's own earlier envelopes put in the page), to go in
    /// front of what the page shows.
    case earlier(before: String, limit: Int)
}

/// A stream's state, as envelopes for a page.
///
/// Called on one of the hub's snapshot threads, never on the service thread, while publishes to that stream
/// (and to no other) wait: publishers that change what a snapshot of `stream` reads must do so inside
/// ``Broadcaster/publish(to:_:)``, so every snapshot sees the state of one moment in the stream's publish order.
public protocol StreamSnapshots: Sendable {
    /// Envelopes that bring a page showing nothing of `stream` up to its current state.
    func snapshot(of stream: String) -> [StreamEnvelope]

    /// Envelopes for the part of `stream` that `request` names. The default answers `.latest` with
    /// ``snapshot(of:)`` and nothing else (a stream with no earlier parts).
    func snapshot(of stream: String, _ request: SnapshotRequest) -> [StreamEnvelope]

    /// Envelopes for the part of `stream` that `request` names, their words (steps, buttons, notices) in those of
    /// the socket that asked. The default ignores the language (``snapshot(of:_:)``).
    func snapshot(of stream: String, _ request: SnapshotRequest, words: Words) -> [StreamEnvelope]
}

extension StreamSnapshots {
    public func snapshot(of stream: String, _ request: SnapshotRequest, words: Words) -> [StreamEnvelope] {
        snapshot(of: stream, request)
    }

    public func snapshot(of stream: String, _ request: SnapshotRequest) -> [StreamEnvelope] {
        if case .latest = request { return snapshot(of: stream) }
        return []
    }
}
