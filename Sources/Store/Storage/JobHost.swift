// Which host runs an answer, and for how long its claim holds without renewal: with several hosts on one database,
// a host that dies mid-answer is noticed when its lease runs out, and its answers become `interrupted` with the
// text checkpointed so far, so Retry works on any host (docs/many-hosts.md).

/// The host this storage writes answers for, as the jobs table names it.
public struct JobHost: Sendable, Equatable, CustomStringConvertible {
    /// The name every job this host queues or runs is recorded under; unique among the hosts sharing a database
    /// and the same across a restart of this one (so a restarted host takes back what it left at once).
    public var name: String
    /// How long a claim on an answer lasts, in seconds, unless the host renews it (`renewLeases`).
    public var lease: Int64

    /// The name `local` (one host: SQLite), and a lease of 30 seconds.
    public init(name: String = "local", lease: Int64 = 30) {
        self.name = name
        self.lease = lease
    }

    public var description: String { name }
}

/// An answer taken from a host whose lease ran out.
public struct LostAnswer: Sendable, Equatable {
    public var message: Int64
    public var thread: Int64
    public var session: String
    /// The host that had it.
    public var host: String

    public init(message: Int64, thread: Int64, session: String, host: String) {
        self.message = message
        self.thread = thread
        self.session = session
        self.host = host
    }
}
