// The streams the chat publishes to. Both live under `session/<id>`, so the server lets only that browser session
// follow them (the signature proves the server named them; the prefix ties them to the session).

/// Stream names for a session's thread list and its threads.
public enum ChatStreams {
    /// The session's stream: its thread list (and, for the socket that asked, the move to a new thread).
    public static func session(_ session: String) -> String { "session/\(session)" }

    /// A thread's stream: its messages, the answer in progress, its sources.
    public static func thread(_ thread: Int64, session: String) -> String { "session/\(session)/thread/\(thread)" }

    /// What a stream name names.
    enum Parsed: Equatable {
        case session(String)
        case thread(Int64, session: String)
    }

    static func parse(_ stream: String) -> Parsed? {
        let parts = stream.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "session", !parts[1].isEmpty else { return nil }
        let session = String(parts[1])
        if parts.count == 2 { return .session(session) }
        guard parts.count == 4, parts[2] == "thread", let id = Int64(parts[3]) else { return nil }
        return .thread(id, session: session)
    }
}
