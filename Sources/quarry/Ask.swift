// `quarry ask "question"`: the same answer the page gets, in a terminal (for SSH and headless use). The thinking
// steps go to standard error, the answer's text to standard output as it arrives, then its sources. The question
// and answer are saved like any other, in a thread of the "terminal" session. Ctrl-C stops the answer (what
// arrived is kept) and exits 130; a failure exits 1 with its message.
import Chat
import Locking
import Logging
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Prints an answer's life on a terminal.
final class TerminalAnswer: AnswerObserver {
    let color: Bool

    init(color: Bool) { self.color = color }

    func step(_ text: String) { note(color ? "\u{1B}[2m· \(text)\u{1B}[0m\n" : "· \(text)\n") }

    func reasoning(_ text: String) { note(color ? "\u{1B}[2;3m\(text)\u{1B}[0m" : text) }

    func text(_ text: AnswerText, delta: String) { output(delta) }

    func finished(_ outcome: AnswerOutcome, save: @escaping @Sendable () -> Void) {
        save()
        if !outcome.text.isEmpty && !outcome.text.hasSuffix("\n") { output("\n") }
        // Numbered as the answer's markers: the cited ones first, then the rest as "also searched" (all as
        // "Sources" when the answer cites none).
        let cited = outcome.cited
        let used = outcome.sources.filter { cited.isEmpty || cited.contains($0.rank) }
        let others = outcome.sources.filter { !cited.isEmpty && !cited.contains($0.rank) }
        for (heading, sources) in [("Sources", used), ("Also searched", others)] where !sources.isEmpty {
            output("\n\(heading):\n")
            for source in sources {
                let place = (source.headingPath.isEmpty ? source.documentTitle : "\(source.documentTitle) › \(source.headingPath)")
                    + (pageLabel(source.pages).map { ", \($0)" } ?? "")
                output("[\(source.rank)] \(place) (\(source.relevance)%)\n    “\(source.excerpt)”\n")
            }
        }
        if let error = outcome.error { note("quarry: \(error)\n") }
    }

    /// Standard output, written at once (no buffering: the text appears as it arrives).
    private func output(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }
}

/// The session `quarry ask` saves its questions under.
let terminalSession = "terminal"

func runAsk(_ options: AskOptions, environment: Environment, signals: ShutdownSignals) async {
    var logger = Logger(label: "quarry")
    logger.logLevel = .warning
    let settings: ChatSettings
    do { settings = try ChatSettings(options: options.chat, environment: environment) } catch { fail(error.message, code: 64) }
    // Its answer is recorded under a host name of its own, with a lease longer than any answer may take, so the
    // servers sharing a PostgreSQL database leave it alone (it renews nothing).
    let store = openDatabase(options.db, environment, host: JobHost(name: "quarry-ask-\(getpid())", lease: 3_600))
    if (try? store.knowledgeBaseCounts().documents) == 0 {
        note("quarry: the knowledge base is empty; add documents with quarry ingest FOLDER (answering anyway).\n")
    }
    let answering = Answering(settings, store: store, logger: logger)
    let exchange: (thread: ThreadRecord, question: Int64, answer: Int64, isNew: Bool)?
    do {
        exchange = try store.startExchange(session: terminalSession, thread: nil, title: String(options.question.prefix(60)),
                                           question: options.question)
    } catch {
        fail("The question could not be saved: \(error)", code: 1)
    }
    guard let exchange else { fail("The question could not be saved.", code: 1) }
    let job = AnswerJob(message: exchange.answer, thread: exchange.thread.id, question: options.question, store: store,
                        retriever: answering.retriever, answerer: answering.answerer, model: settings.modelName,
                        configuration: settings.chat, logger: logger)
    let control = JobControl()
    signals.onFirst(logged: false) { control.cancel(.stopped) }
    let ended = Locked<AnswerOutcome?>(nil)
    let task = Task {
        let outcome = await job.run(observer: TerminalAnswer(color: isatty(2) != 0), control: control)
        ended.withLock { $0 = outcome }
    }
    control.attach(task)
    await task.value
    guard let outcome = ended.current else { exit(1) }
    switch outcome.status {
    case .complete: exit(0)
    case .stopped: exit(130)
    default: exit(1)
    }
}
