// The storage Chat needs: sessions, threads, messages, answer jobs, checkpoints, sources, and the reading of what a
// source cites. `Store` (SQLite) implements it; a PostgreSQL implementation for many hosts (docs/many-hosts.md,
// item 3) must match the behaviour each requirement's comment states, so that the same job code runs on either.

/// Conversations as Chat keeps them: what `ChatService`, `AnswerJob` and `ReadingRoom` read and write.
///
/// Every requirement is one transaction (or one consistent read): a crash or a concurrent writer never leaves or
/// shows half of one. Errors are `StoreError`s; a requirement that finds nothing returns nil, false or empty.
public protocol ConversationStorage: Sendable {
    /// Stores a question and an empty answer (status streaming, its job queued), in `thread` or, when nil, in a new
    /// thread of `session` titled `title`, recording the session if new; one transaction.
    /// - Returns: nil if `thread` is not one of the session's; otherwise the thread, the question's and the
    ///   answer's ids, and whether the thread is new.
    func startExchange(session: String, thread: Int64?, title: String, question: String)
        throws(StoreError) -> (thread: ThreadRecord, question: Int64, answer: Int64, isNew: Bool)?

    /// Puts an answer of one of `session`'s threads that ended without completing back to the start of its life
    /// (status streaming, no text, no sources, its job queued again); false, changing nothing, for any other.
    func restartAnswer(_ message: Int64, session: String) throws(StoreError) -> Bool

    /// The thread `message` belongs to, if it is one of `session`'s.
    func thread(ofMessage message: Int64, session: String) throws(StoreError) -> ThreadRecord?

    /// The thread with this id, if it is one of `session`'s.
    func thread(_ id: Int64, session: String) throws(StoreError) -> ThreadRecord?

    /// A session's threads, most recently active first (ties: newest id first), at most `limit`.
    func threads(session: String, limit: Int) throws(StoreError) -> [ThreadRecord]

    /// A thread's messages, oldest (lowest id) first.
    func messages(thread: Int64) throws(StoreError) -> [MessageRecord]

    /// One message, or nil.
    func message(_ id: Int64) throws(StoreError) -> MessageRecord?

    /// The last `exchanges` exchanges of `thread` before message `before` (nil: the latest), read as of one
    /// commit; kept HTML made by a renderer other than `renderer` is left out.
    func threadPage(_ thread: Int64, before: Int64?, exchanges: Int, renderer: Int64) throws(StoreError) -> ThreadPage

    /// Keeps the HTML of ended answers' text made by `renderer`, in one transaction; an answer still streaming, or
    /// whose text is no longer `content` (a retry, an end meanwhile), keeps nothing.
    func keepContentHTML(_ renders: [(message: Int64, content: String, html: String)], renderer: Int64)
        throws(StoreError)

    /// The conversation before `message` in `thread`, oldest first: questions and completed answers, the last
    /// `limit` of them.
    func history(before message: Int64, thread: Int64, limit: Int) throws(StoreError) -> [MessageRecord]

    /// The question an answer answers: the last question before it in its thread.
    func question(answeredBy message: Int64) throws(StoreError) -> MessageRecord?

    /// The host whose answers this storage queues, runs and checkpoints (every job it queues is this host's, with
    /// a lease of `host.lease` seconds).
    var host: JobHost { get }

    /// Claims this host's name for as long as this storage lives: false when another live process sharing the
    /// database has claimed it (two hosts under one name would take each other's answers at a restart). The claim
    /// ends with the process, however it ends.
    func claimHostName() throws(StoreError) -> Bool

    /// Marks an answer's job running on this host with a fresh lease, counting the attempt.
    func jobStarted(message: Int64) throws(StoreError)

    /// Records that this host sent `mine` requests to the model in its last minute, and returns how many the other
    /// hosts sharing the database said they sent in theirs, counting only what they said in the 5 seconds before
    /// `now` (seconds since 1970; the current time when nil): a host that stopped saying has stopped sending.
    func shareModelRequests(mine: Int, now: Int64?) throws(StoreError) -> Int

    /// Extends the lease of every job this host has queued or running by `host.lease` seconds from now; how many.
    @discardableResult
    func renewLeases() throws(StoreError) -> Int

    /// Answers whose job's lease ran out before `now` (seconds since 1970; the current time when nil) while queued
    /// or running, on any other host (this one is alive, so its answers are not lost): marked interrupted with `reason` as their error, their text as last checkpointed,
    /// their jobs failed, in one transaction; the answers taken. Two hosts doing this at once take each answer once.
    func interruptAnswersOfLostHosts(reason: String, now: Int64?) throws(StoreError) -> [LostAnswer]

    /// Saves an answer's text and thinking so far (status unchanged), waiting for the database if it is busy. Like
    /// every write of an answer's text below, it changes nothing when the answer's job is another host's (a retry
    /// there after this host's lease ran out).
    func checkpoint(message: Int64, content: String, thinking: String) throws(StoreError)

    /// Saves an answer's text and thinking so far (status unchanged) only if the database can be written at once:
    /// a busy database returns false, having saved nothing, and never makes the caller wait.
    @discardableResult
    func checkpointIfFree(message: Int64, content: String, thinking: String) throws(StoreError) -> Bool

    /// Ends an answer: its final text, thinking, status, model, error and sources, and its job, in one transaction.
    func finishAnswer(message: Int64, content: String, thinking: String, status: MessageStatus, model: String?,
                      error: String?, sources: [SourceRecord]) throws(StoreError)

    /// Replaces the sources of an answer still being written, so that its citations open while it streams.
    func saveSources(message: Int64, sources: [SourceRecord]) throws(StoreError)

    /// The sources of an answer, by rank.
    func sources(message: Int64) throws(StoreError) -> [SourceRecord]

    /// Answers left streaming by this host when it stopped (its jobs, or jobs of no host, from before hosts were
    /// recorded): marked interrupted with `reason` as their error, their jobs failed. Run at start, before serving.
    /// Other hosts' answers are left to their leases. Returns how many.
    @discardableResult
    func interruptUnfinishedAnswers(reason: String) throws(StoreError) -> Int

    /// Removes the threads last updated more than `idle` seconds before `now` (seconds since 1970; the current time
    /// when nil), except those with an answer still streaming, and then the sessions with no threads left that were
    /// last seen as long ago; in transactions of at most `batch` threads, so answers being saved meanwhile wait at
    /// most one short transaction.
    func removeIdleConversations(idle: Int64, now: Int64?, batch: Int) throws(StoreError) -> RetentionSweep

    /// Removes a session with all its threads, their messages, sources and jobs, in one transaction; an answer
    /// still streaming goes too. Returns how many threads went.
    @discardableResult
    func removeSession(_ session: String) throws(StoreError) -> Int

    /// A source an answer of `session` showed: the answer's thread and the source's passage (nil when its document
    /// was read again or removed since); nil when `session` has no such source.
    func readableSource(message: Int64, rank: Int, session: String) throws(StoreError) -> (thread: Int64, chunk: Int64?)?

    /// The document a chunk belongs to and the chunk's place in it; nil when the chunk is no longer stored.
    func chunkPlace(id: Int64) throws(StoreError) -> (document: Int64, ordinal: Int)?

    /// The document with this id, if it is stored and was read.
    func readableDocument(id: Int64) throws(StoreError) -> ReadableDocument?

    /// At most `limit` chunks of `document` from place `from` on, in order.
    func readableChunks(document: Int64, from: Int, limit: Int) throws(StoreError) -> [ReadableChunk]
}

extension ConversationStorage {
    /// Removes idle conversations as of now, 200 threads a transaction.
    public func removeIdleConversations(idle: Int64) throws(StoreError) -> RetentionSweep {
        try removeIdleConversations(idle: idle, now: nil, batch: 200)
    }

    /// A session's threads, most recently active first, at most 50.
    public func threads(session: String) throws(StoreError) -> [ThreadRecord] {
        try threads(session: session, limit: 50)
    }
}

extension Store: ConversationStorage {}
