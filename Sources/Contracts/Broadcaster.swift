// Where the chat's and the admin pages' envelopes go: the server's Hub in one process; a recorder in tests.

public import TurboStream

/// A socket connection's id, unique for the life of the server.
public typealias ConnectionID = UInt64

/// Publishes envelopes to streams and sends them to single sockets, in order.
public protocol Broadcaster: Sendable {
    /// Changes what snapshots of `stream` read and publishes the change as one step: no snapshot of `stream` is
    /// made between the two (see `StreamSnapshots`).
    func publish(to stream: String, _ update: () -> [StreamEnvelope])
    /// Sends envelopes to one socket only.
    func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID)
}
