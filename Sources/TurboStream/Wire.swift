// The contract between the server and the page, defined once: the socket's path and ops, the custom element that
// names a stream to follow, and the ids of the elements envelopes target. The page's script gets these from here.

/// Names shared by the server and the page.
public enum Wire {
    /// The WebSocket endpoint.
    public static let socketPath = "/socket"
    /// Kiosk mode's "start over": ends the visitor's session (a new cookie, the old conversations deleted) and
    /// sends the browser back to `/`. The page goes there by itself when nobody has touched it for a while.
    public static let startOverPath = "/start-over"

    /// An upward message's `op`.
    public enum Op: String, Sendable, CaseIterable {
        /// Follow a signed stream; the server answers with the stream's current state, then live updates.
        case subscribe
        /// Stop following a stream.
        case unsubscribe
        /// Send the part of a followed stream before `before` (a thread's earlier messages); it arrives as a
        /// `prepend`, in order with the stream's live updates.
        case earlier
        /// Ask a question in a thread (or a new one).
        case ask
        /// Stop the answer in progress.
        case stop
        /// Answer again a question whose answer ended without completing (an error, a stop, a restart).
        case retry
    }

    /// The element that names a signed stream the page follows while the element is in the document.
    public static let streamSourceElement = "quarry-stream-source"
    /// Its attribute holding the signed stream name.
    public static let signedStreamNameAttribute = "signed-stream-name"

    /// Ids of elements in the shell, and the prefixes of ids the server gives the elements it renders.
    public enum ElementID {
        /// Where notices and errors for the person at the screen appear.
        public static let notice = "notice"
        /// The connection state ("Connecting…", "Connected", "Reconnecting…").
        public static let connectionStatus = "connection-status"
        /// The conversation: a scrolling container of messages.
        public static let messages = "messages"
        /// The question form.
        public static let composer = "composer"
        /// The form's fields, disabled as one while an answer streams or the socket is down.
        public static let composerFields = "composer-fields"
        /// The question's text area.
        public static let composerInput = "composer-input"
        /// The button that stops the answer in progress.
        public static let composerStop = "composer-stop"
        /// The list of the session's conversations.
        public static let threads = "threads"
        /// The "New conversation" button.
        public static let newThread = "new-thread"
        /// The stream source of the conversation on screen; its `data-thread` is the thread an `ask` goes to.
        public static let threadSource = "thread-source"
        /// The polite live region that announces a finished answer.
        public static let announcer = "announcer"
        /// The "New text below" control shown when the reader has scrolled up.
        public static let scrollControl = "scroll-control"
        /// The "Show earlier messages" control at the top of a thread that does not show all of its messages.
        public static let earlierControl = "earlier-messages"
        /// Kiosk mode's element in the page's bar: hidden on a normal page; on a kiosk it carries the idle seconds
        /// (`data-idle`) and the countdown's (`data-countdown`), and the script sets `data-left` while it counts.
        public static let kiosk = "kiosk"
        /// The conversation list: beside the conversation on wide screens, a menu (a popover) on narrow ones.
        public static let side = "side"

        /// A message: `message-<id>`.
        public static func message(_ id: some CustomStringConvertible) -> String { "message-\(id)" }
        /// A message's rendered text: `message-content-<id>`.
        public static func messageContent(_ id: some CustomStringConvertible) -> String { messageContentPrefix + "\(id)" }
        /// The prefix of `messageContent(_:)`.
        public static let messageContentPrefix = "message-content-"
        /// An answer's thinking section: `thinking-<id>`.
        public static func thinking(_ id: some CustomStringConvertible) -> String { "thinking-\(id)" }
        /// The list of an answer's thinking steps: `thinking-steps-<id>`.
        public static func thinkingSteps(_ id: some CustomStringConvertible) -> String { "thinking-steps-\(id)" }
        /// A reasoning model's own reasoning, inside the thinking steps: `reasoning-<id>`.
        public static func reasoning(_ id: some CustomStringConvertible) -> String { "reasoning-\(id)" }
        /// The hidden marker of a message's state (`data-status`, `data-message`): `message-state-<id>`.
        public static func messageState(_ id: some CustomStringConvertible) -> String { "message-state-\(id)" }
        /// A conversation in the list: `thread-item-<id>`.
        public static func threadItem(_ id: some CustomStringConvertible) -> String { "thread-item-\(id)" }
    }

    /// Attributes and values the page's script reads from what the server renders.
    public enum Attribute {
        /// On a message: its state; `streaming` while its answer arrives.
        public static let status = "data-status"
        /// The value of `status` while an answer streams: the form waits and the stop button shows.
        public static let streaming = "streaming"
        /// On a message: its id, which `stop` names.
        public static let message = "data-message"
        /// On the thread source and on each conversation in the list: the thread's id.
        public static let thread = "data-thread"
        /// On each conversation in the list: the signed name of its stream.
        public static let stream = "data-stream"
        /// On a "Retry" button in an answer: the answer's id, which `retry` names.
        public static let retry = "data-retry"
        /// On the "Show earlier messages" button: what `earlier` sends as `before`.
        public static let earlier = "data-earlier"
        /// On a Copy button: empty on a code block's (the code after it is copied), the answer's id on an
        /// answer's (its text is copied). The Markdown module writes the same name (`Markdown.copyAttribute`).
        public static let copy = "data-copy"
    }

    /// Every value above by the key the front end's sources write it as (`{{wire:KEY}}`); the build-time
    /// generator substitutes them, so the script and the server cannot disagree.
    public static let table: [(key: String, value: String)] = [
        ("socketPath", socketPath),
        ("startOverPath", startOverPath),
        ("streamSourceElement", streamSourceElement),
        ("signedStreamNameAttribute", signedStreamNameAttribute),
        ("id.notice", ElementID.notice),
        ("id.connectionStatus", ElementID.connectionStatus),
        ("id.messages", ElementID.messages),
        ("id.composer", ElementID.composer),
        ("id.composerFields", ElementID.composerFields),
        ("id.composerInput", ElementID.composerInput),
        ("id.composerStop", ElementID.composerStop),
        ("id.threads", ElementID.threads),
        ("id.newThread", ElementID.newThread),
        ("id.threadSource", ElementID.threadSource),
        ("id.announcer", ElementID.announcer),
        ("id.scrollControl", ElementID.scrollControl),
        ("id.earlierControl", ElementID.earlierControl),
        ("id.kiosk", ElementID.kiosk),
        ("id.side", ElementID.side),
        ("id.messageContentPrefix", ElementID.messageContentPrefix),
        ("attr.status", Attribute.status),
        ("attr.streaming", Attribute.streaming),
        ("attr.message", Attribute.message),
        ("attr.thread", Attribute.thread),
        ("attr.stream", Attribute.stream),
        ("attr.retry", Attribute.retry),
        ("attr.earlier", Attribute.earlier),
        ("attr.copy", Attribute.copy),
    ] + Op.allCases.map { ("op.\($0.rawValue)", $0.rawValue) }

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
        /// The session asked more questions in the last minute than the server allows.
        case tooManyQuestions = "too_many_questions"
        /// The question is empty or longer than the server takes.
        case badQuestion = "bad_question"
        /// The conversation or answer named is not (or no longer) there for this session.
        case notFound = "not_found"
    }
}
