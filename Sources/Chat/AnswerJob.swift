// The job: everything between a question and its finished answer, the same for the page and the terminal.
//
// Steps "Searching knowledge base…" → retrieval (top N) → "Found N relevant sources" → "Generating response…" →
// the answerer's stream (a model, or with none configured the passages themselves, labelled). Text accumulates
// here and is checkpointed to the database about once a second; whoever shows the answer (an AnswerObserver)
// hears every step and every piece of text, and decides how often to redraw. The job ends exactly once, saving
// the final text, status and sources in one transaction before the observer hears the outcome. What arrived is
// owned here (`Progress`); what a page has been sent, by LiveAnswers (docs/architecture.md, "One answer, one owner").
public import LLM
internal import Locking
internal import Markdown
public import Logging
public import Retrieval
public import Store
public import Words

/// How an answer ended, for whoever shows it.
public struct AnswerOutcome: Sendable, Equatable {
    public var status: MessageStatus
    /// The whole text of the answer (what arrived, when it ended early).
    public var text: String
    /// What went wrong, for the person reading; nil when it completed.
    public var error: String?
    /// The passages the answer drew on, by rank.
    public var sources: [SourceRecord]

    public init(status: MessageStatus, text: String, error: String?, sources: [SourceRecord]) {
        self.status = status
        self.text = text
        self.error = error
        self.sources = sources
    }
}

extension AnswerOutcome {
    /// The ranks of the sources the answer's text cites (`[2]`), read as the page reads them.
    public var cited: Set<Int> {
        let citations = Markup.citations(message: 0, sources: sources)
        return citations.cited(in: Markdown.html(text, citations: citations))
    }
}

/// An answer's text as it arrives: appended by its job alone, read by whoever shows it when they choose (a paced
/// page at its send, not at every piece), so the text has one owner and no copy is kept beside it.
public final class AnswerText: Sendable {
    private let value: Locked<String>

    public init(_ text: String = "") { value = Locked(text) }

    /// All of it so far.
    public var current: String { value.current }

    /// Adds a piece at the end.
    public func append(_ piece: String) { value.withLock { $0 += piece } }
}

/// Hears an answer's life as it happens. Called from the job's task, one call at a time, in order.
public protocol AnswerObserver: Sendable {
    /// A thinking step ("Searching knowledge base…").
    func step(_ text: String)
    /// More of a reasoning model's reasoning (shown as thinking, never as the answer).
    func reasoning(_ text: String)
    /// More answer text: `delta` was added to `text` (the job's, all of it so far; read it when needed, it keeps
    /// growing).
    func text(_ text: AnswerText, delta: String)
    /// The passages retrieval found, by rank (saved already): what the answer's citation numbers name.
    func found(_ sources: [SourceRecord])
    /// The end. `save` writes it to the database: call it once, inside the step that tells the pages (for a page,
    /// the publish that sends the end), so that no snapshot, on any host, sees the end saved while the answer is
    /// still in progress where the pages are told from.
    func finished(_ outcome: AnswerOutcome, save: @escaping @Sendable () -> Void)
}

extension AnswerObserver {
    /// Not told: the sources come with the end.
    public func found(_ sources: [SourceRecord]) {}
}

/// Why an answer was ended from outside.
public enum CancelReason: Sendable, Equatable {
    /// The person pressed Stop.
    case stopped
    /// It took longer than `ChatConfiguration.answerTimeout`.
    case timedOut
    /// The server is shutting down.
    case shutdown
}

/// Lets the answer's owner end it: records why, then cancels the task it runs in.
public final class JobControl: Sendable {
    private let state = Locked<(reason: CancelReason?, task: Task<Void, Never>?)>((nil, nil))

    public init() {}

    /// The task to cancel; if the job was cancelled before it had one, cancelled at once.
    public func attach(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { value -> Bool in
            value.task = task
            return value.reason != nil
        }
        if cancelled { task.cancel() }
    }

    /// Ends the answer for `reason` (the first reason given wins).
    public func cancel(_ reason: CancelReason) {
        let task = state.withLock { value -> Task<Void, Never>? in
            if value.reason == nil { value.reason = reason }
            return value.task
        }
        task?.cancel()
    }

    /// Why it was ended, if it was.
    public var reason: CancelReason? { state.current.reason }
}

/// One answer to produce.
public struct AnswerJob: Sendable {
    public var message: Int64
    public var thread: Int64
    public var question: String
    public var store: any ConversationStorage
    public var retriever: Retriever
    public var answerer: any Answerer
    /// The model's name, saved with the answer (nil: the passages answer, no model).
    public var model: String?
    public var configuration: ChatConfiguration
    public var logger: Logger

    public init(message: Int64, thread: Int64, question: String, store: any ConversationStorage, retriever: Retriever,
                answerer: any Answerer, model: String?, configuration: ChatConfiguration, logger: Logger) {
        self.message = message
        self.thread = thread
        self.question = question
        self.store = store
        self.retriever = retriever
        self.answerer = answerer
        self.model = model
        self.configuration = configuration
        self.logger = logger
    }

    /// When set, the answer waits for its ticket's turn before it starts (and says so on the page); the ticket's
    /// owner gives it back after `run` returns.
    var turn: (slots: AnswerSlots, ticket: AnswerSlots.Ticket)?
    /// When set, the lines a client can cause (an answer failing upstream) go through its limiter.
    var log: ChatLog?
    /// When set, the model's latency, errors and streamed text are counted there.
    var metrics: ChatMetrics?
    /// The words of its steps and errors (stored with the answer): those of the page that asked.
    public var words = Words.english

    /// Produces the answer, telling `observer` as it goes; saves and returns how it ended. Never throws: every
    /// failure becomes an outcome with a message for the person reading. `configuration.answerTimeout` counts
    /// from the moment it starts (after any wait for its turn).
    public func run(observer: any AnswerObserver, control: JobControl) async -> AnswerOutcome {
        var progress = Progress(job: self, observer: observer)
        if let turn, !turn.slots.tryStart(turn.ticket) {
            progress.step(words[.stepWaiting])
            // Not started means cancelled while waiting: `answer` sees why and ends at once.
            _ = await turn.slots.start(turn.ticket)
        }
        let timeout = configuration.answerTimeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            control.cancel(.timedOut)
        }
        let outcome = await answer(&progress, control: control)
        watchdog.cancel()
        return outcome
    }

    private func answer(_ progress: inout Progress, control: JobControl) async -> AnswerOutcome {
        if let reason = control.reason { return progress.cancelled(reason, sources: []) }
        try? store.jobStarted(message: message)
        progress.step(words[.stepSearching])
        let passages: [RetrievedPassage]
        let history: [MessageRecord]
        do {
            // What came before the question: the thread's messages before this answer, less the question itself
            // (the last of them), which the model is sent once, with the passages.
            var earlierMessages = try store.history(before: message, thread: thread, limit: configuration.historyMessages + 1)
            if earlierMessages.last?.role == "user" { earlierMessages.removeLast() }
            history = Array(earlierMessages.suffix(configuration.historyMessages))
            let earlier = Array(history.filter { $0.role == "user" }.suffix(Self.contextQuestions).map(\.content))
            // A follow-up, with a model: the model makes it a standalone query, shown as a step. Otherwise (or if
            // the model does not answer in time) the conversation's last questions are searched with it, their
            // words counting less.
            if !earlier.isEmpty, model != nil, !FollowUp.standsAlone(question),
               let query = await answerer.searchQuery(
                   for: question, history: history.map { ChatMessage(role: $0.role, content: $0.content) },
                   within: configuration.searchQueryTimeout) {
                progress.step(words(.stepSearchingFor, ("query", query)))
                passages = try await retriever.search(query, context: earlier, limit: configuration.passages)
            } else {
                passages = try await retriever.search(question, context: earlier, limit: configuration.passages)
            }
        } catch {
            logger.error("retrieval failed", metadata: ["message": "\(message)", "cause": "\(error)"])
            return progress.finish(.error, words[.errorSearch], sources: [])
        }
        let sources = passages.map(Self.source)
        if let reason = control.reason { return progress.cancelled(reason, sources: sources) }
        // Saved now, so that a citation opens its passage while the answer is still arriving.
        do {
            try store.saveSources(message: message, sources: sources)
        } catch {
            logger.warning("sources not saved before the answer", metadata: ["message": "\(message)", "cause": "\(error)"])
        }
        progress.observer.found(sources)
        progress.step(passages.isEmpty ? words[.stepNoneFound]
                      : passages.count == 1 ? words[.stepFoundOne] : words(.stepFound, ("count", "\(passages.count)")))
        if model == nil { progress.step(words[.stepNoModel]) }
        progress.step(words[.stepGenerating])
        // Only a model's answer is timed and counted (the passages answer is the database's, not a model's).
        let timing = model == nil ? nil : metrics.map { ModelTiming(metrics: $0) }
        defer { timing?.ended() }
        do {
            let request = AnswerRequest(
                question: question,
                history: history.map { ChatMessage(role: $0.role, content: $0.content) },
                passages: passages.map(Self.passage))
            for try await delta in answerer(in: words).answer(request) {
                switch delta {
                case .text(let piece):
                    timing?.text()
                    progress.add(piece)
                case .thinking(let piece):
                    timing?.text()
                    progress.reason(piece)
                case .retrying(_, _, let after, let reason):
                    timing?.metrics.retried()
                    progress.step(words(.stepRetrying, ("reason", reason), ("seconds", Self.seconds(after))))
                case .finished(let reason) where reason == "length":
                    progress.step(words[.stepLengthLimit])
                case .finished, .usage: break
                }
            }
        } catch let error as LLMError where error != .cancelled {
            if timing != nil { metrics?.modelFailed(error) }
            warning("answer failed", ["message": "\(message)", "cause": "\(error.logMessage)"])
            return progress.finish(.error, words.message(for: error), sources: sources)
        } catch is CancellationError, LLMError.cancelled {
            // Told why below.
        } catch {
            if timing != nil { metrics?.modelFailedOtherwise() }
            warning("answer failed", ["message": "\(message)", "cause": "\(error)"])
            return progress.finish(.error, words[.errorFailed], sources: sources)
        }
        if let reason = control.reason { return progress.cancelled(reason, sources: sources) }
        return progress.finish(.complete, nil, sources: sources)
    }

    private func warning(_ message: String, _ metadata: Logger.Metadata) {
        if let log { log.warning(message, metadata) } else { logger.warning("\(message)", metadata: metadata) }
    }

    /// How many of the conversation's earlier questions a question is searched with.
    static let contextQuestions = 2

    /// A passage as the answerer sees it, its page last as sources show it: "Title › Heading, p. 2".
    static func passage(_ found: RetrievedPassage) -> Passage {
        let page = pageLabel(found.chunk.pages).map { ", \($0)" } ?? ""
        let heading = found.chunk.headingPath.last
        return Passage(title: found.chunk.documentTitle + (heading == nil ? page : ""),
                       heading: heading.map { $0 + page }, text: found.chunk.text,
                       score: Double(found.relevance) / 100)
    }

    /// What a source shows of a passage.
    static func source(_ passage: RetrievedPassage) -> SourceRecord {
        SourceRecord(rank: passage.rank, chunkID: passage.chunk.id, documentTitle: passage.chunk.documentTitle,
                     headingPath: passage.chunk.headingPath.joined(separator: headingSeparator),
                     excerpt: excerpt(passage.chunk.text), score: passage.score,
                     distance: passage.similarity.map { 1 - Double($0) }, relevance: passage.relevance,
                     pages: passage.chunk.pages)
    }

    /// The start of a passage, on one line, cut at a word: about two lines of a source list.
    static func excerpt(_ text: String, limit: Int = 200) -> String {
        let flat = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
        guard flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }

    /// Whole seconds, at least one.
    static func seconds(_ duration: Duration) -> String {
        "\(max(1, Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded(.up)))) s"
    }
}

/// The time of one model answer, for the metrics: to its first text (or reasoning), and to its end. Used by the
/// job's task alone, one call at a time.
private final class ModelTiming {
    let metrics: ChatMetrics
    private let asked = ContinuousClock.now
    private var firstTextSeen = false

    init(metrics: ChatMetrics) { self.metrics = metrics }

    /// A piece of text arrived: the first is timed, each is counted.
    func text() {
        metrics.streamed()
        guard !firstTextSeen else { return }
        firstTextSeen = true
        metrics.firstText(after: ContinuousClock.now - asked)
    }

    /// The answer ended, however it ended.
    func ended() { metrics.responded(after: ContinuousClock.now - asked) }
}

/// The answer as it grows: text, steps and reasoning, checkpointed now and then, told to the observer. The one owner
/// of what arrived (the database keeps copies of it): what the page has been sent is LiveAnswers', which lags by
/// the page's pacing, so a snapshot shows the state the next update applies to.
private struct Progress {
    let job: AnswerJob
    let observer: any AnswerObserver
    let text = AnswerText()
    var thinking = Thinking()
    var lastCheckpoint = ContinuousClock.now

    init(job: AnswerJob, observer: any AnswerObserver) {
        self.job = job
        self.observer = observer
    }

    mutating func step(_ step: String) {
        thinking.steps.append(step)
        observer.step(step)
    }

    mutating func reason(_ piece: String) {
        thinking.reasoning += piece
        observer.reasoning(piece)
        checkpointIfDue()
    }

    mutating func add(_ piece: String) {
        text.append(piece)
        observer.text(text, delta: piece)
        checkpointIfDue()
    }

    /// Saves the text so far about once a second, unless another write holds the database just then: the
    /// stream never waits for a checkpoint. A busy database is tried again at the next piece of text.
    mutating func checkpointIfDue() {
        guard ContinuousClock.now - lastCheckpoint >= job.configuration.checkpointInterval else { return }
        do {
            if try job.store.checkpointIfFree(message: job.message, content: text.current, thinking: thinking.stored) {
                lastCheckpoint = .now
            }
        } catch {
            lastCheckpoint = .now
            job.logger.warning("checkpoint failed", metadata: ["message": "\(job.message)", "cause": "\(error)"])
        }
    }

    /// Ends an answer cancelled from outside.
    func cancelled(_ reason: CancelReason, sources: [SourceRecord]) -> AnswerOutcome {
        let words = job.words
        let kept = text.current.isEmpty ? "" : " " + words[.answerKept]
        switch reason {
        case .stopped: return finish(.stopped, words[.answerStopped] + kept, sources: sources)
        case .timedOut: return finish(.error, words[.errorTooSlow] + kept, sources: sources)
        case .shutdown: return finish(.interrupted, words[.errorServerStopped], sources: sources)
        }
    }

    /// Tells the observer the end, which saves it.
    func finish(_ status: MessageStatus, _ error: String?, sources: [SourceRecord]) -> AnswerOutcome {
        let text = self.text.current
        let outcome = AnswerOutcome(status: status, text: text, error: error, sources: sources)
        let job = self.job, thinking = self.thinking.stored
        observer.finished(outcome) {
            do {
                try job.store.finishAnswer(message: job.message, content: text, thinking: thinking, status: status,
                                           model: job.model, error: error, sources: sources)
            } catch {
                job.logger.error("the answer could not be saved", metadata: ["message": "\(job.message)", "cause": "\(error)"])
            }
        }
        return outcome
    }
}
