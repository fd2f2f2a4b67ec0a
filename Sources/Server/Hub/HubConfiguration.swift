// How much snapshot work the hub does, and for whom.

/// The hub's limits on snapshots: how much of a stream one snapshot holds, how many one socket may have in
/// flight, and how many threads make them.
public struct HubConfiguration: Sendable {
    /// How many of a stream's latest items (a thread's exchanges: a question and its answer) a snapshot holds, and
    /// how many more each request for earlier ones brings.
    public var snapshotItems: Int
    /// Snapshots (first loads and earlier pages) one socket may have asked for and not yet received; a request
    /// beyond this is refused with a notice.
    public var snapshotsInFlightPerConnection: Int
    /// Threads that make snapshots, off the service thread.
    public var snapshotThreads: Int
    /// What a snapshot costs its socket: one message of its rate-limit allowance for every whole this many bytes of
    /// markup it carries (on top of the message that asked for it), so a page loading large parts over and over is
    /// slowed like one sending many messages.
    public var snapshotBytesPerMessage: Int

    /// A configuration; every parameter has the default documented on its property.
    public init(
        snapshotItems: Int = 20, snapshotsInFlightPerConnection: Int = 4, snapshotThreads: Int = 2,
        snapshotBytesPerMessage: Int = 64 * 1024
    ) {
        self.snapshotItems = max(1, snapshotItems)
        self.snapshotsInFlightPerConnection = max(1, snapshotsInFlightPerConnection)
        self.snapshotThreads = max(1, snapshotThreads)
        self.snapshotBytesPerMessage = max(1, snapshotBytesPerMessage)
    }

    /// The messages' worth of allowance a snapshot of `bytes` costs: one per whole `snapshotBytesPerMessage`, so a
    /// small snapshot costs only the message that asked for it.
    func cost(ofSnapshot bytes: Int) -> Double { Double(bytes / snapshotBytesPerMessage) }
}
