// The chat behind the page: `ask`, `stop` and `retry` from the socket, the snapshots of a session's thread list and
// of its threads, and the answers' jobs (capped, timed, stoppable).
//
// The socket's ops arrive on the server's service thread: each is checked there (session, size, rate) and its work
// goes to a task. A question is saved with an empty answer before anything is published; the answer's job then
// runs in its turn. Whatever a snapshot reads for an answer in progress (LiveAnswers) changes only inside the
// publish that tells the page, so a page that (re)subscribes at any moment gets the answer as far as it has been
// sent, then every later update, with no gap and nothing twice.
public import Contracts
public import LLM
internal import Locking
internal import TextLines
public import Logging
public import Retrieval
public import Store
public import Telemetry
internal import TurboStream
internal import Words

/// Answers questions asked over the socket and keeps every page that follows a thread up to date.
public final class ChatService: SocketOperationHandler, StreamSnapshots, Sendable {
    let store: any ConversationStorage
    let retriever: Retriever
    let answerer: any Answerer
    let model: String?
    let broadcaster: any Broadcaster
    let streamNames: any StreamNameSigner
    let configuration: ChatConfiguration
    let logger: Logger
    let live: LiveAnswers
    let log: ChatLog
    let slots: AnswerSlots
    let limiter = QuestionLimiter()
    /// What the chat reports to `/metrics`; nil: nothing.
    let metrics: ChatMetrics?
    /// Questions a minute counted across hosts; nil: one host (`limiter` alone).
    let sharedRates: (any SharedRateLimits)?
    /// The answers in progress (running, waiting, or claimed by a retry about to start), by message.
    let jobs = Locked<[Int64: RunningJob]>([:])
    /// Sessions ended for good (`endSession`) in the last `endedMemory`, and when: an answer of one of them is
    /// never registered in `jobs` again (checked under `jobs`' lock), so none can write after the session's delete.
    let endedSessions = Locked<[String: ContinuousClock.Instant]>([:])
    /// How long an ended session is remembered: far longer than a question takes from a socket to its job.
    static let endedMemory: Duration = .seconds(600)

    /// Whether `session` was ended (`endSession`).
    func isEnded(_ session: String) -> Bool { endedSessions.withLock { $0[session] != nil } }

    /// An answer's job as its owner holds it.
    struct RunningJob: Sendable {
        let control: JobControl
        /// The session whose answer it is.
        let session: String
        var task: Task<Void, Never>?
    }

    /// - Parameters:
    ///   - model: the model's name, saved with each answer; nil when `answerer` quotes passages (no model).
    ///   - streamNames: signs the stream names put in the page (the server's, from the same secret).
    ///   - metrics: where answers, the model's latency and errors, and refused questions are counted; nil: nowhere.
    ///   - sharedAnswers: where answers in progress are kept for other hosts' snapshots (several hosts); nil: one host.
    ///   - sharedRates: questions a minute counted across hosts (several hosts); nil: one host.
    ///   - sharedHolds: the answers a session and an address hold, counted across hosts; nil: one host.
    public init(store: any ConversationStorage, retriever: Retriever, answerer: any Answerer, model: String?, broadcaster: any Broadcaster,
                streamNames: any StreamNameSigner, configuration: ChatConfiguration = ChatConfiguration(),
                metrics: MetricsRegistry? = nil, sharedAnswers: (any SharedAnswers)? = nil,
                sharedRates: (any SharedRateLimits)? = nil, sharedHolds: (any SharedAnswerHolds)? = nil,
                logger: Logger = Logger(label: "quarry.chat")) {
        live = LiveAnswers(shared: sharedAnswers)
        self.sharedRates = sharedRates
        self.store = store
        self.retriever = retriever
        self.answerer = answerer
        self.model = model
        self.broadcaster = broadcaster
        self.streamNames = streamNames
        self.configuration = configuration
        self.logger = logger
        log = ChatLog(logger: logger)
        slots = AnswerSlots(AnswerSlots.Limits(
            capacity: configuration.maxConcurrentAnswers, waiting: configuration.maxWaitingAnswers,
            waitingPerSession: configuration.maxWaitingAnswersPerSession, perPeer: configuration.maxAnswersPerPeer),
            shared: sharedHolds, sharedExpiry: configuration.answerTimeout + .seconds(60))
        let chatMetrics = metrics.map(ChatMetrics.init)
        self.metrics = chatMetrics
        if let metrics, let chatMetrics {
            // The slots own the counts; they are read when /metrics is asked for, not copied as they change.
            let slots = self.slots
            metrics.onScrape {
                chatMetrics.answersRunning.set(slots.running)
                chatMetrics.answersWaiting.set(slots.waitingCount)
            }
        }
    }

    /// Marks answers a previous run left streaming as interrupted (they show their saved text and Retry). Call
    /// once at start, before serving.
    public func recoverAfterRestart() throws(StoreError) {
        let count = try store.interruptUnfinishedAnswers(reason: "The server stopped before this answer finished.")
        if count > 0 { logger.notice("answers interrupted by the last shutdown", metadata: ["count": "\(count)"]) }
    }

    /// Renews this host's leases on the answers it queued or runs, then interrupts the answers of hosts that stopped
    /// renewing theirs (a host that died mid-answer, on a database several hosts share): each keeps the text its host
    /// last checkpointed and offers Retry, which works here. Pages following their threads are sent the change. Call
    /// about every third of the lease (`JobHost.lease`); returns the answers taken over.
    @discardableResult
    public func keepLeases() throws(StoreError) -> [LostAnswer] {
        try store.renewLeases()
        let lost = try store.interruptAnswersOfLostHosts(
            reason: "The server answering this stopped before the answer finished.", now: nil)
        for answer in lost {
            guard let message = try store.message(answer.message) else { continue }
            let sources = try store.sources(message: answer.message)
            broadcaster.publish(to: ChatStreams.thread(answer.thread, session: answer.session)) {
                [.replace(target: Wire.ElementID.message(answer.message),
                          html: Markup.finishedAnswer(message, sources: sources))]
            }
        }
        if !lost.isEmpty {
            logger.notice("answers of a host that stopped were interrupted", metadata: [
                "count": "\(lost.count)", "hosts": "\(Set(lost.map(\.host)).sorted().joined(separator: ", "))",
            ])
        }
        return lost
    }

    /// Records every answer running here whole again where other hosts' snapshots read them, each inside its stream's
    /// publish, and returns their streams: after Redis came back (it may have lost them), so that the pages following
    /// those streams on every host can be given fresh snapshots that show them.
    public func recordAnswersInProgressAgain() -> Set<String> {
        var streams: Set<String> = []
        for id in live.answerIDs {
            guard let answer = live[id], let session = jobs.current[id]?.session else { continue }
            let stream = ChatStreams.thread(answer.thread, session: session)
            let live = self.live
            broadcaster.publish(to: stream) {
                live.recordAgain(id)
                return []
            }
            streams.insert(stream)
        }
        return streams
    }

    // MARK: Socket ops (on the service thread: check, then hand the work to a task)

    public func handle(_ operation: SocketOperation, from client: SocketClient) {
        let words = Words(client.language)
        guard let session = client.session?.rawValue else {
            notify(client, .forbidden, words[.noticeNoSession])
            return
        }
        switch operation {
        case .ask(let thread, let content):
            let question = content.trimmingBlanksAndLineBreaks
            guard !question.isEmpty else { return notify(client, .badQuestion, words[.noticeEmptyQuestion]) }
            guard question.utf8.count <= configuration.maxQuestionBytes, question.count <= configuration.maxQuestionCharacters
            else {
                return notify(client, .badQuestion, question.count <= configuration.maxQuestionCharacters
                              ? words[.noticeTooLong]
                              : words(.noticeTooLongCharacters, ("count", "\(configuration.maxQuestionCharacters)")))
            }
            var threadID: Int64?
            if let thread {
                guard let id = Int64(thread) else { return notify(client, .notFound, words[.noticeGoneThread]) }
                threadID = id
            }
            guard let ticket = admitted(session, client) else { return }
            Task { await ask(question, thread: threadID, session: session, client: client, ticket: ticket) }
        case .stop(let message):
            guard let id = Int64(message) else { return }
            Task { await stop(id, session: session) }
        case .retry(let message):
            guard let id = Int64(message) else { return notify(client, .notFound, words[.noticeGoneAnswer]) }
            if let running = jobs.current[id] {
                // Another session learns nothing of this answer, not even that it runs.
                return running.session == session ? notify(client, .unavailable, words[.noticeStillFinishing])
                                                  : notify(client, .notFound, words[.noticeGoneAnswer])
            }
            guard let ticket = admitted(session, client) else { return }
            // Claimed now, so a second retry (or the old job's end) cannot take the entry Stop goes through.
            let control = JobControl()
            let claimed = jobs.withLock { jobs -> Bool in
                guard jobs[id] == nil, !isEnded(session) else { return false }
                jobs[id] = RunningJob(control: control, session: session, task: nil)
                return true
            }
            guard claimed else {
                slots.release(ticket)
                return notify(client, .unavailable, words[.noticeStillFinishing])
            }
            Task { await retry(id, session: session, client: client, control: control, ticket: ticket) }
        }
    }

    func notify(_ client: SocketClient, _ code: Wire.ErrorCode, _ message: String) {
        broadcaster.send([Notice.error(code, message)], to: client.connection)
    }

    // MARK: The work

    func ask(_ question: String, thread: Int64?, session: String, client: SocketClient, ticket: AnswerSlots.Ticket) async {
        let words = Words(client.language)
        guard admittedAcrossHosts(session, client, ticket) else { return slots.release(ticket) }
        let exchange: (thread: ThreadRecord, question: Int64, answer: Int64, isNew: Bool)?
        do {
            exchange = try store.startExchange(session: session, thread: thread, title: Titles.title(question),
                                               question: question)
        } catch {
            slots.release(ticket)
            log.error("the question could not be saved", ["cause": "\(error)"])
            return notify(client, .unavailable, words[.noticeNotSaved])
        }
        guard let exchange else {
            slots.release(ticket)
            return notify(client, .notFound, words[.noticeGoneThread])
        }
        // The job's entry, at once: a session ended meanwhile (Start over) gets none, and loses what was just saved;
        // otherwise `endSession` finds this answer and waits for it.
        let control = JobControl()
        let registered = jobs.withLock { jobs -> Bool in
            guard !isEnded(session) else { return false }
            jobs[exchange.answer] = RunningJob(control: control, session: session, task: nil)
            return true
        }
        guard registered else {
            _ = try? store.removeSession(session)
            slots.release(ticket)
            return
        }
        let stream = ChatStreams.thread(exchange.thread.id, session: session)
        let live = self.live
        broadcaster.publish(to: stream) {
            live.start(exchange.answer, thread: exchange.thread.id)
            return [
                .append(target: Wire.ElementID.messages,
                        html: Markup.question(id: exchange.question, text: question)
                            + Markup.answerInProgress(id: exchange.answer, steps: [], reasoning: "", blocks: [],
                                                      words: words)),
                .scroll(target: Wire.ElementID.messages),
            ]
        }
        let signed = streamNames.signed(stream)
        // The thread goes to the top of the session's list (a new one appears there).
        broadcaster.publish(to: ChatStreams.session(session)) {
            [.prepend(target: Wire.ElementID.threads, html: Markup.threadItem(exchange.thread, signedStream: signed))]
        }
        if exchange.isNew {
            // Move the asking page to the new thread: its stream source subscribes, and the snapshot fills the page.
            broadcaster.send([
                .remove(target: Wire.ElementID.threadSource),
                .before(target: Wire.ElementID.messages, html: Markup.threadSource(thread: exchange.thread.id, signedStream: signed)),
            ], to: client.connection)
        }
        start(answer: exchange.answer, thread: exchange.thread.id, question: question, stream: stream, control: control,
              ticket: ticket, words: words)
    }

    func stop(_ message: Int64, session: String) async {
        guard (try? store.thread(ofMessage: message, session: session)) != nil else { return }
        jobs.current[message]?.control.cancel(.stopped)
    }

    /// Answers `message` again; `control` is its entry in `jobs`, claimed by `handle`.
    func retry(_ message: Int64, session: String, client: SocketClient, control: JobControl,
               ticket: AnswerSlots.Ticket) async {
        let words = Words(client.language)
        let unclaim = { [jobs, slots] in
            jobs.withLock { if $0[message]?.control === control { $0[message] = nil } }
            slots.release(ticket)
        }
        guard admittedAcrossHosts(session, client, ticket) else { return unclaim() }
        do {
            guard let thread = try store.thread(ofMessage: message, session: session),
                  let question = try store.question(answeredBy: message),
                  try store.restartAnswer(message, session: session)
            else {
                unclaim()
                return notify(client, .notFound, words[.noticeGoneAnswer])
            }
            let stream = ChatStreams.thread(thread.id, session: session)
            let live = self.live
            broadcaster.publish(to: stream) {
                live.start(message, thread: thread.id)
                return [.replace(target: Wire.ElementID.message(message),
                                 html: Markup.answerInProgress(id: message, steps: [], reasoning: "", blocks: [],
                                                               words: words))]
            }
            start(answer: message, thread: thread.id, question: question.content, stream: stream, control: control,
                  ticket: ticket, words: words)
        } catch {
            unclaim()
            log.error("retry failed", ["message": "\(message)", "cause": "\(error)"])
            notify(client, .unavailable, words[.noticeNotRestarted])
        }
    }

    /// Runs an answer's job (in its turn, under the timeout), in the words of the page that asked, stoppable through
    /// its entry in `jobs` (already there, holding `control`). The entry goes when the job ends, and only that job's entry: a retry's never goes with
    /// the end of the job before it.
    private func start(answer: Int64, thread: Int64, question: String, stream: String, control: JobControl,
                       ticket: AnswerSlots.Ticket, words: Words) {
        let observer = PageAnswer(id: answer, stream: stream, broadcaster: broadcaster, live: live,
                                  interval: configuration.updateInterval, words: words)
        var job = AnswerJob(message: answer, thread: thread, question: question, store: store, retriever: retriever,
                            answerer: answerer, model: model, configuration: configuration, logger: logger)
        job.turn = (slots, ticket)
        job.log = log
        job.words = words
        job.metrics = metrics
        metrics?.started()
        let jobs = self.jobs, slots = self.slots, metrics = self.metrics
        let task = Task {
            let outcome = await job.run(observer: observer, control: control)
            metrics?.finished(outcome.status)
            jobs.withLock { if $0[answer]?.control === control { $0[answer] = nil } }
            slots.release(ticket)
        }
        jobs.withLock { if $0[answer]?.control === control { $0[answer]?.task = task } }
        control.attach(task)
    }

    /// Ends every answer in progress as interrupted (its text so far saved, Retry offered) and waits for them.
    public func shutdown() async {
        let running = jobs.current.values
        for job in running { job.control.cancel(.shutdown) }
        for job in running { await job.task?.value }
    }

    /// Ends a session for good (a kiosk visitor who started over, or left): its answers in progress are stopped and
    /// awaited, so none writes after the delete, then its threads go with everything in them.
    /// A question on its way when the session ends registers no job (`isEnded`), and removes what it saved itself.
    public func endSession(_ session: String) async {
        endedSessions.withLock { ended in
            let now = ContinuousClock.now
            ended = ended.filter { now - $0.value < Self.endedMemory }
            ended[session] = now
        }
        // Until none is left: an entry claimed by a retry has no task until its job starts (or is given back).
        for _ in 0..<3_000 {
            let running = jobs.current.values.filter { $0.session == session }
            guard !running.isEmpty else { break }
            for job in running { job.control.cancel(.stopped) }
            for job in running {
                if let task = job.task { await task.value } else { try? await Task.sleep(for: .milliseconds(10)) }
            }
        }
        do {
            let threads = try store.removeSession(session)
            if threads > 0 { logger.info("session ended", metadata: ["threads": "\(threads)"]) }
        } catch {
            log.error("ending a session failed", ["cause": "\(error)"])
        }
    }

    /// How many answers are running or waiting (from the moment their question is taken until they have ended).
    public var answersInProgress: Int { slots.held }
}
