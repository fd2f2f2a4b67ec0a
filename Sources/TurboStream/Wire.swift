// The contract between the server and the page, defined once: the socket's path and ops, the custom element that
// names a stream to follow, and the ids of the elements envelopes target. The page's script gets these from here.

/// Names shared by the server and the page.
public enum Wire {
    /// The WebSocket endpoint.
    public static let socketPath = "/socket"

    /// An upward message's `op`.
    public enum Op: String, Sendable, CaseIterable {
        /// Follow a signed stream; the server answers with the stream's current state, then live updates.
        case subscribe
        /// Stop following a stream.
        case unsubscribe
        /// Ask a question in a thread (or a new one).
        case ask
        /// Stop the answer in progress.
        case stop
    }

    /// The element that names a signed stream the page follows while the element is in the document.
    public static let streamSourceElement = "quarry-stream-source"
    /// Its attribute holding the signed stream name.
    public static let signedStreamNameAttribute = "signed-stream-name"

    /// Ids of elements in the shell.
    public enum ElementID {
        /// Where notices and errors for the person at the screen appear.
        public static let notice = "notice"
        /// The connection state ("Connecting…", "Reconnecting…").
        public static let connectionStatus = "connection-status"
        /// The conversation.
        public static let messages = "messages"
    }

    /// Codes carried by error notices (`data-error`), so the page and tests can tell errors apart.
    public enum ErrorCode: String, Sendable, CaseIterable {
        /// The message was not JSON.
        case badJSON = "bad_json"
        /// A field had the wrong type.
        case badField = "bad_field"
        /// A required field was missing.
        case missingField = "missing_field"
        /// The op is not one the server knows.
        case unknownOp = "unknown_op"
        /// A binary frame arrived; the protocol is text.
        case binaryFrame = "binary_frame"
        /// A signed stream name did not verify.
        case badSignature = "bad_signature"
        /// The stream belongs to another browser session.
        case forbidden
        /// The socket follows as many streams as it may.
        case tooManySubscriptions = "too_many_subscriptions"
        /// The client sent messages faster than allowed.
        case rateLimited = "rate_limited"
        /// The op exists but this server cannot do it (yet, or in this configuration).
        case unavailable
    }
}
