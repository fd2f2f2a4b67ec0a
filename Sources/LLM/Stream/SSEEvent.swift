// One dispatched Server-Sent Event, as `SSEParser` hands it on.

/// A Server-Sent Event: the type, data and last event ID the WHATWG EventSource processing model dispatches.
internal struct SSEEvent: Sendable, Equatable {
    /// The event type: the value of the event's last `event:` field, or `message` when it had none.
    internal var type: String
    /// The event's `data:` lines joined with `\n`, decoded as UTF-8 (invalid bytes become U+FFFD).
    internal var data: String
    /// The last event ID: the latest `id:` field of this event or of an earlier one; empty when none was sent.
    internal var id: String

    /// An event; the defaults are what a bare `data:` event gets.
    internal init(type: String = "message", data: String, id: String = "") {
        self.type = type
        self.data = data
        self.id = id
    }
}

extension SSEEvent: CustomStringConvertible {
    /// The event in the wire's words, for test failures and logs.
    internal var description: String {
        "event=\(type) data=\(data.debugDescription)" + (id.isEmpty ? "" : " id=\(id.debugDescription)")
    }
}
