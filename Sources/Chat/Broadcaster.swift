// Where the chat's envelopes go: the Hub in the server; a recorder in tests.
public import Server
public import TurboStream

/// Publishes envelopes to streams and sends them to single sockets, in order.
public protocol Broadcaster: Sendable {
    /// Changes what snapshots of `stream` read and publishes the change as one step (see `Hub.publish(to:_:)`).
    func publish(to stream: String, _ update: () -> [StreamEnvelope])
    /// Sends envelopes to one socket only.
    func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID)
}

extension Hub: Broadcaster {}
