// The ops that go beyond following streams (ask, stop) are answered by a later layer (the chat); the server only
// decodes them and hands them over with who asked.
public import TurboStream
public import Words

/// Who sent an op.
public struct SocketClient: Sendable, Hashable {
    /// The socket.
    public let connection: ConnectionID
    /// The browser session, when the socket came with a valid session cookie.
    public let session: SessionID?
    /// The address the socket came from: what per-peer limits count by.
    public let peer: String
    /// The language of its page: what its notices, and the answers it asks for, are said in.
    public let language: Language

    public init(connection: ConnectionID, session: SessionID?, peer: String, language: Language = .english) {
        self.connection = connection
        self.session = session
        self.peer = peer
        self.language = language
    }
}

/// Something a client asked the server to do beyond following streams.
public enum SocketOperation: Sendable, Equatable {
    /// Ask `content` in `thread` (nil: a new thread).
    case ask(thread: String?, content: String)
    /// Stop the answer `message`.
    case stop(message: String)
    /// Answer again the question of `message`, an answer that ended without completing.
    case retry(message: String)
}

/// Handles `ask`, `stop` and `retry`. Called on the service thread: return quickly and do slow work elsewhere, replying
/// through a broadcaster (``Broadcaster/send(_:to:)``, ``Broadcaster/publish(to:_:)``).
public protocol SocketOperationHandler: Sendable {
    /// Handles `operation` from `client`.
    func handle(_ operation: SocketOperation, from client: SocketClient)
}

/// Envelopes that tell the person at the screen what went wrong.
public enum Notice {
    /// An error notice in the page's notice area; `code` goes into `data-error` for the page and tests.
    public static func error(_ code: Wire.ErrorCode, _ message: String) -> StreamEnvelope {
        .update(target: Wire.ElementID.notice,
                html: "<p class=\"notice-error\" role=\"alert\" data-error=\"\(code.rawValue)\">\(HTML.escape(message))</p>")
    }
}
