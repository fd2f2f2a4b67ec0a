// The chat behind the page: `ask`, `stop` and `retry` from the socket, the snapshots of a session's thread list and
// of its threads, and the answers' jobs (capped, timed, stoppable).
//
// The socket's ops arrive on the server's service thread: each is checked there (session, size, rate) and its work
// goes to a task. A question is saved with an empty answer before anything is published; the answer's job then
// runs in its turn. Whatever a snapshot reads for an answer in progress (LiveAnswers) changes only inside the
// publish that tells the page, so a page that (re)subscribes at any moment gets the answer as far as it has been
// sent, then every later update, with no gap and nothing twice.
public import LLM
internal import Locking
public import Logging
public import Retrieval
public import Server
public import Store
internal import TurboStream

/// Answers questions asked over the socket and keeps every page that follows a thread up to date.
public final class ChatService: SocketOperationHandler, StreamSnapshots, Sendable {
    let store: Store
    let retriever: Retriever
    let answerer: any Answerer
    let model: String?
    let broadcaster: any Broadcaster
    let streamNames: StreamNames
    let configuration: ChatConfiguration
    let logger: Logger
    let live = LiveAnswers()
    private let slots: AnswerSlots
    private let limiter: QuestionLimiter
    private let jobs = Locked<[Int64: (control: JobControl, task: Task<Void, Never>)]>([:])

    /// - Parameters:
    ///   - model: the model's name, saved with each answer; nil when `answerer` quotes passages (no model).
    ///   - streamNames: signs the stream names put in the page (the server's, from the same secret).
    public init(store: Store, retriever: Retriever, answerer: any Answerer, model: String?, broadcaster: any Broadcaster,
                streamNames: StreamNames, configuration: ChatConfiguration = ChatConfiguration(),
                logger: Logger = Logger(label: "quarry.chat")) {
        self.store = store
        self.retriever = retriever
        self.answerer = answerer
        self.model = model
        self.broadcaster = broadcaster
        self.streamNames = streamNames
        self.configuration = configuration
        self.logger = logger
        slots = AnswerSlots(capacity: configuration.maxConcurrentAnswers)
        limiter = QuestionLimiter(perMinute: configuration.questionsPerMinute)
    }

    /// Marks answers a previous run left streaming as interrupted (they show their saved text and Retry). Call
    /// once at start, before serving.
    public func recoverAfterRestart() throws(StoreError) {
        let count = try store.interruptUnfinishedAnswers(reason: "The server stopped before this answer finished.")
        if count > 0 { logger.notice("answers interrupted by the last shutdown", metadata: ["count": "\(count)"]) }
    }

    // MARK: Socket ops (on the service thread: check, then hand the work to a task)

    public func handle(_ operation: SocketOperation, from client: SocketClient) {
        guard let session = client.session?.rawValue else {
            notify(client, .forbidden, "This page has no session. Please reload it.")
            return
        }
        switch operation {
        case .ask(let thread, let content):
            let question = content.trimmingSpacesAndNewlines
            guard !question.isEmpty else { return notify(client, .badQuestion, "Type a question first.") }
            guard question.count <= configuration.maxQuestionCharacters else {
                return notify(client, .badQuestion,
                              "That question is too long: at most \(configuration.maxQuestionCharacters) characters, please.")
            }
            var threadID: Int64?
            if let thread {
                guard let id = Int64(thread) else { return notify(client, .notFound, Self.goneThread) }
                threadID = id
            }
            guard admitted(session, client) else { return }
            Task { await ask(question, thread: threadID, session: session, client: client) }
        case .stop(let message):
            guard let id = Int64(message) else { return }
            Task { await stop(id, session: session) }
        case .retry(let message):
            guard let id = Int64(message) else { return notify(client, .notFound, Self.goneAnswer) }
            guard admitted(session, client) else { return }
            Task { await retry(id, session: session, client: client) }
        }
    }

    static let goneThread = "That conversation is not there any more. Start a new one."
    static let goneAnswer = "That answer is not there any more, or has already finished."

    private func admitted(_ session: String, _ client: SocketClient) -> Bool {
        guard let wait = limiter.admit(session) else { return true }
        let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        notify(client, .tooManyQuestions, "That is \(configuration.questionsPerMinute) questions in a minute. "
               + "Please wait \(seconds) s before asking again.")
        return false
    }

    private func notify(_ client: SocketClient, _ code: Wire.ErrorCode, _ message: String) {
        broadcaster.send([Notice.error(code, message)], to: client.connection)
    }

    // MARK: The work

    func ask(_ question: String, thread: Int64?, session: String, client: SocketClient) async {
        let exchange: (thread: ThreadRecord, question: Int64, answer: Int64, isNew: Bool)?
        do {
            exchange = try store.startExchange(session: session, thread: thread, title: Titles.title(question),
                                               question: question)
        } catch {
            logger.error("the question could not be saved", metadata: ["cause": "\(error)"])
            return notify(client, .unavailable, "The question could not be saved. Please try again.")
        }
        guard let exchange else { return notify(client, .notFound, Self.goneThread) }
        let stream = ChatStreams.thread(exchange.thread.id, session: session)
        let live = self.live
        broadcaster.publish(to: stream) {
            live.start(exchange.answer, thread: exchange.thread.id)
            return [
                .append(target: Wire.ElementID.messages,
                        html: Markup.question(id: exchange.question, text: question)
                            + Markup.answerInProgress(id: exchange.answer, steps: [], reasoning: "", blocks: [])),
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
        start(answer: exchange.answer, thread: exchange.thread.id, question: question, stream: stream)
    }

    func stop(_ message: Int64, session: String) async {
        guard (try? store.thread(ofMessage: message, session: session)) != nil else { return }
        jobs.current[message]?.control.cancel(.stopped)
    }

    func retry(_ message: Int64, session: String, client: SocketClient) async {
        do {
            guard let thread = try store.thread(ofMessage: message, session: session),
                  let question = try store.question(answeredBy: message),
                  try store.restartAnswer(message, session: session)
            else { return notify(client, .notFound, Self.goneAnswer) }
            let stream = ChatStreams.thread(thread.id, session: session)
            let live = self.live
            broadcaster.publish(to: stream) {
                live.start(message, thread: thread.id)
                return [.replace(target: Wire.ElementID.message(message),
                                 html: Markup.answerInProgress(id: message, steps: [], reasoning: "", blocks: []))]
            }
            start(answer: message, thread: thread.id, question: question.content, stream: stream)
        } catch {
            logger.error("retry failed", metadata: ["message": "\(message)", "cause": "\(error)"])
            notify(client, .unavailable, "The answer could not be started again. Please try again.")
        }
    }

    /// Runs an answer's job (in its turn, under the timeout), stoppable through `jobs`.
    private func start(answer: Int64, thread: Int64, question: String, stream: String) {
        let observer = PageAnswer(id: answer, stream: stream, broadcaster: broadcaster, live: live,
                                  interval: configuration.updateInterval)
        var job = AnswerJob(message: answer, thread: thread, question: question, store: store, retriever: retriever,
                            answerer: answerer, model: model, configuration: configuration, logger: logger)
        job.slots = slots
        let control = JobControl()
        let jobs = self.jobs
        let task = Task {
            _ = await job.run(observer: observer, control: control)
            jobs.withLock { $0[answer] = nil }
        }
        jobs.withLock { $0[answer] = (control, task) }
        control.attach(task)
    }

    /// Ends every answer in progress as interrupted (its text so far saved, Retry offered) and waits for them.
    public func shutdown() async {
        let running = jobs.current.values
        for job in running { job.control.cancel(.shutdown) }
        for job in running { await job.task.value }
    }

    /// How many answers are running or waiting.
    public var answersInProgress: Int { jobs.current.count }
}

extension String {
    /// Without leading and trailing spaces, tabs and new lines.
    var trimmingSpacesAndNewlines: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
