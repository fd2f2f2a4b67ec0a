// What a broadcaster spanning several hosts (Relay's, through Redis) needs of this host, and what it gives it: the
// local streams it hands relayed frames to, the fence a snapshot passes before it reads a stream's state, and the
// place answers in progress are kept for other hosts' snapshots. One host alone uses none of it.

/// This host's sockets and the streams they follow: where a relay delivers the frames every host published.
public protocol LocalStreams: Broadcaster {
    /// Sends a frame rendered and numbered elsewhere (a relayed publish) to every socket here following `stream`,
    /// exactly as given, after everything handed on before. It must hold only `<turbo-stream>` elements.
    func publish(frame: [UInt8], to stream: String)
    /// Gives every socket here following one of `streams` (nil: every stream) a fresh snapshot, which replaces what
    /// its page shows: after frames may have been missed (a lost subscription, a gap in the numbering).
    func refresh(_ streams: Set<String>?)
    /// Makes every snapshot pass `fence` first (nil: none).
    func setFence(_ fence: (any SnapshotFence)?)
}

/// Where a snapshot waits for the other hosts: see docs/many-hosts.md, "Broadcasts through Redis".
public protocol SnapshotFence: Sendable {
    /// Runs `body`, which reads a snapshot of `stream`, at a moment when no host is publishing to `stream` and every
    /// frame of `stream` published before has been handed to this host's ``LocalStreams``.
    func fenced<Result>(_ stream: String, _ body: () -> Result) -> Result
}

/// An answer in progress as its pages have been sent it: what another host's snapshot shows of it.
public struct SharedAnswer: Sendable, Equatable {
    public var thread: Int64
    /// The steps taken ("Searching knowledge base…"); none holds a line break.
    public var steps: [String]
    public var reasoning: String
    /// The rendered blocks of its text.
    public var blocks: [String]

    public init(thread: Int64, steps: [String] = [], reasoning: String = "", blocks: [String] = []) {
        self.thread = thread
        self.steps = steps
        self.reasoning = reasoning
        self.blocks = blocks
    }
}

/// Answers in progress, kept where every host's snapshots read them. Written inside the publish that sends the
/// change (``Broadcaster/publish(to:_:)``) and read inside a snapshot, so both see one moment of the stream.
public protocol SharedAnswers: Sendable {
    /// Records `answer`; `previous` is what was recorded before (nil: nothing), so only the difference travels.
    func record(_ id: Int64, _ answer: SharedAnswer, previous: SharedAnswer?)
    /// The answer as last recorded; nil when it is not in progress (or cannot be read now).
    func answer(_ id: Int64) -> SharedAnswer?
    /// The answer ended: its text is read from the database from now on.
    func remove(_ id: Int64)
}

/// Questions a minute counted across every host (in Redis), beside each host's own count: so a session or an address
/// that moves between hosts has the site's limit, not one per host.
public protocol SharedRateLimits: Sendable {
    /// Counts one question against every limit (a key and how many it may have in `window`) if all of them allow it;
    /// otherwise, for the first that does not, its index and how long until it does. Nothing is counted for a refused
    /// question. When the count cannot be reached it admits (each host's own count still holds).
    func admit(_ limits: [(key: String, perMinute: Int)], window: Duration) -> (index: Int, wait: Duration)?
}

/// The answers a session and an address hold (running or waiting), counted across hosts (in Redis) beside each
/// host's own count: so a session whose questions go to two hosts has the site's share, not one per host.
public protocol SharedAnswerHolds: Sendable {
    /// Holds a place for `token` under every limit (a key and the most it may hold) if all of them allow it; otherwise
    /// the index of the first that does not, and nothing is held. A place lasts until `release`, or `expiry` (its
    /// host died). When the count cannot be reached it holds nothing and admits (each host's own count holds).
    func hold(_ token: String, _ limits: [(key: String, most: Int)], expiry: Duration) -> Int?
    /// Gives `token`'s places under `keys` back.
    func release(_ token: String, keys: [String])
}
