// The documents table over the socket: an admin's documents page follows its stream, so documents being read (an
// upload, a file dropped into the folder) appear in the list as the folder's reading stores them, without a reload.
public import Contracts
import Locking
public import TurboStream
public import Words

/// Sends the admin pages' documents table to the sockets that follow it.
public final class DocumentsFeed: Sendable {
    private let room: AdminRoom
    private let broadcaster: any Broadcaster
    /// When the tables were last sent.
    private let lastSent = Locked<ContinuousClock.Instant?>(nil)
    /// While documents are being read, the tables are sent at most this often.
    static let interval = Duration.seconds(1)

    public init(room: AdminRoom, broadcaster: any Broadcaster) {
        self.room = room
        self.broadcaster = broadcaster
    }

    /// The language of `stream`, when it is one of the feed's; nil otherwise.
    public func language(of stream: String) -> Language? {
        Language.all.first { AdminRoom.documentsStream($0) == stream }
    }

    /// What a new follower of `stream` starts from, when `stream` is one of the feed's; nil otherwise.
    public func snapshot(of stream: String) -> [StreamEnvelope]? {
        guard let language = language(of: stream) else { return nil }
        guard let table = try? room.documentsTable(Words(language)) else { return [] }
        return [.replace(target: AdminRoom.documentsTableID, html: table)]
    }

    /// The knowledge base changed: the tables go out again, unless they went less than `interval` ago. `final`
    /// (the end of a look at the folder that stored something, or a file newly found unreadable) always sends them.
    public func changed(final: Bool = false) {
        let now = ContinuousClock.now
        let due = lastSent.withLock { last in
            guard final || last.map({ now - $0 >= Self.interval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        // On a thread of its own, not the caller's (the folder's reading must not wait for four renders of the
        // table). Each render reads the database inside its stream's gate, so what goes out later is never older.
        let publish: @Sendable () -> Void = { [self] in
            for language in Language.all {
                let stream = AdminRoom.documentsStream(language)
                broadcaster.publish(to: stream) { snapshot(of: stream) ?? [] }
            }
        }
        if let thread = spawnThread(publish) { thread.detach() } else { publish() }
    }
}
