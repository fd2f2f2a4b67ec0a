@testable import Chat
import Contracts
import Curl
import LLM
import Markdown
import Retrieval
import Server
import StandIn
import Store
import TestSupport
import Telemetry
import Testing
import TurboStream

/// The chat against real parts: a SQLite file, the knowledge base, the stand-in model server over loopback.
struct ChatFixture {
    let store: Store
    let broadcaster = RecordingBroadcaster()
    let service: ChatService
    let standIn: StandInServer?
    /// What the chat logged.
    let log: RecordingLog
    static let multi = try! CurlMulti()

    /// A service over a small knowledge base; `model` false answers from the passages (no model configured).
    init(folder: String, model: Bool = true, configuration: ChatConfiguration = ChatConfiguration(updateInterval: .zero),
         standIn standInConfiguration: StandInConfiguration = StandInConfiguration(tokensPerSecond: 0),
         llm: (inout LLMConfiguration) -> Void = { _ in }, log: RecordingLog = RecordingLog(),
         storeBusyTimeout: Duration = .seconds(5), metrics: MetricsRegistry? = nil,
         sharedAnswers: (any SharedAnswers)? = nil, sharedRates: (any SharedRateLimits)? = nil,
         sharedHolds: (any SharedAnswerHolds)? = nil) throws {
        store = try Store(path: folder + "/chat.db", busyTimeout: storeBusyTimeout)
        for (index, text) in ["Granite is quarried in large blocks with diamond wire saws.",
                              "Marble is softer than granite and polishes well.",
                              "Ear protection is required near the saws."].enumerated() {
            try store.replaceDocument(path: "/docs/\(index).md", title: "Stone \(index)", contentHash: "\(index)", size: 1,
                                      modifiedAt: 1, chunks: [NewChunk(ordinal: 0, headingPath: ["Quarrying"], text: text)])
        }
        var answerer: any Answerer = ExtractiveAnswerer()
        if model {
            let server = StandInServer(configuration: standInConfiguration)
            let port = try server.start()
            standIn = server
            var configuration = LLMConfiguration(baseURL: "http://127.0.0.1:\(port)/v1", model: "standin-chat",
                                                 maxRetryDelay: .seconds(2))
            llm(&configuration)
            answerer = ModelAnswerer(client: LLMClient(configuration: configuration, multi: Self.multi))
        } else {
            standIn = nil
        }
        service = ChatService(store: store, retriever: Retriever(store: store), answerer: answerer,
                              model: model ? "standin-chat" : nil, broadcaster: broadcaster,
                              streamNames: StreamNames(secret: Array("a secret of at least thirty-two bytes!!".utf8)),
                              configuration: configuration, metrics: metrics, sharedAnswers: sharedAnswers,
                              sharedRates: sharedRates, sharedHolds: sharedHolds, logger: log.logger)
        self.log = log
    }

    static func client(_ session: String, connection: ConnectionID = 1, peer: String = "127.0.0.1") -> SocketClient {
        SocketClient(connection: connection, session: SessionID(rawValue: session), peer: peer)
    }

    /// Asks and waits until the answer has ended; returns its id.
    @discardableResult
    func ask(_ question: String, thread: Int64? = nil, session: String = "s1", connection: ConnectionID = 1) async throws -> Int64 {
        service.handle(.ask(thread: thread.map(String.init), content: question), from: Self.client(session, connection: connection))
        // The answer holds its place from the moment it is asked until it has ended.
        try await until { service.answersInProgress == 0 }
        return try await eventually {
            try store.threads(session: session).flatMap { try store.messages(thread: $0.id) }
                .filter { $0.role == "assistant" && $0.status != .streaming }.map(\.id).max()
        }
    }

    /// Polls `value` until it gives something (at most 20 s).
    func eventually<Value>(file: String = #fileID, line: Int = #line, _ value: () throws -> Value?) async throws -> Value {
        for _ in 0..<2_000 {
            if let found = try value() { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TimedOut(waitedAt: "\(file):\(line)")
    }

    func until(file: String = #fileID, line: Int = #line, _ condition: () throws -> Bool) async throws {
        _ = try await eventually(file: file, line: line) { try condition() ? true : nil }
    }

    /// Asks a question whose answer holds its slot (the stand-in stalls after the first word) until `release`
    /// stops it, so that a test can queue others behind it however slowly the machine runs. Returns the answer's id.
    func askHeld(session: String = "s1", connection: ConnectionID = 1) async throws -> Int64 {
        let before = Set(service.live.answerIDs)
        service.handle(.ask(thread: nil, content: heldQuestion), from: Self.client(session, connection: connection))
        return try await eventually { Set(service.live.answerIDs).subtracting(before).first }
    }

    /// Stops the answer `askHeld` started.
    func release(_ answer: Int64, session: String = "s1", connection: ConnectionID = 1) {
        service.handle(.stop(message: String(answer)), from: Self.client(session, connection: connection))
    }

    /// The question `askHeld` asks.
    var heldQuestion: String { faulty("stall-after=1") }

    struct TimedOut: Error {
        /// The wait that ran out.
        var waitedAt: String
    }

    func stop() { standIn?.stop() }
}

/// `[standin:…]` in a question asks the stand-in for a fault.
func faulty(_ spec: String) -> String { "How are granite blocks cut? [standin:\(spec)]" }

@Suite struct ChatServiceTests {
    @Test func aQuestionInANewThreadStreamsItsAnswerWithSources() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let answer = try await f.ask("How are granite blocks cut?")
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .complete && message.model == "standin-chat")
            #expect(message.content == StandInConfiguration.defaultAnswer)
            #expect(Thinking(stored: message.thinking).steps == [
                "Searching knowledge base…", "Found 2 relevant sources", "Generating response…"])
            let sources = try f.store.sources(message: answer)
            #expect(sources.map(\.documentTitle) == ["Stone 0", "Stone 1"])
            #expect(sources.allSatisfy { (0...100).contains($0.relevance) } && sources[0].relevance >= sources[1].relevance)
            // The asking page is moved to the new thread; the thread list shows it.
            let moved = f.broadcaster.envelopes(toConnection: 1)
            #expect(moved.first == .remove(target: "thread-source"))
            #expect(moved.last?.html.contains("data-thread=\"\(message.threadID)\"") == true)
            #expect(f.broadcaster.envelopes(to: "session/s1").first?.html.contains("How are granite blocks cut?") == true)
            // Every envelope on the thread's stream, applied in order, gives the final render.
            var content = ContentModel(id: answer)
            for envelope in f.broadcaster.envelopes(to: "session/s1/thread/\(message.threadID)") { content.apply(envelope) }
            #expect(content.html == Markdown.html(message.content))
            // A page opening the thread now gets it whole.
            let snapshot = f.service.snapshot(of: "session/s1/thread/\(message.threadID)")
            #expect(snapshot.first?.html.contains("Thinking complete") == true)
            #expect(snapshot.first?.html.contains("2 sources used") == true)
            #expect(snapshot.first?.html.contains("data-status=\"complete\"") == true)
            #expect(f.service.snapshot(of: "session/s1").first?.html.contains("data-thread=\"\(message.threadID)\"") == true)
        }
    }

    @Test func withNoModelThePassagesAnswerLabelled() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            let answer = try await f.ask("Which stone is softer?")
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .complete && message.model == nil)
            #expect(message.content.hasPrefix("*No language model is configured"))
            #expect(message.content.contains("Marble is softer"))
            #expect(message.thinking.contains("No language model is configured: quoting the documents"))
        }
    }

    @Test(arguments: [
        ("status=401", "did not accept Quarry's key", ""),
        ("status=500,times=9", "had a problem", ""),
        ("cut-after=4", "cut off", "Quarry found **two passag"),
        ("error-after=3", "had a problem", "Quarry found **two "),
    ])
    func eachFailureReachesThePageAndKeepsTheText(spec: String, says: String, kept: String) async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let answer = try await f.ask(faulty(spec))
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .error)
            #expect(message.error?.contains(says) == true, "\(message.error ?? "")")
            #expect(message.content == kept)
            let ending = f.broadcaster.frames.last!.envelopes.first { $0.action == .after }
            #expect(ending?.html.contains("role=\"alert\"") == true && ending?.html.contains("data-retry") == true)
        }
    }

    @Test func aRateLimitBeforeTheFirstTokenIsRetriedAndShown() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let answer = try await f.ask(faulty("status=429,retry-after=1,times=1"))
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .complete)
            #expect(message.thinking.contains("Rate limited, retrying in 1 s…"))
        }
    }

    @Test func stopEndsTheAnswerAndKeepsWhatCame() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            f.service.handle(.ask(thread: nil, content: faulty("token-delay=0.2")), from: ChatFixture.client("s1"))
            let answer = try await f.eventually { () throws -> Int64? in
                let id = f.service.live.answerIDs.first
                return id.flatMap { f.service.live[$0]?.blocks.isEmpty == false ? $0 : nil }
            }
            f.service.handle(.stop(message: String(answer)), from: ChatFixture.client("s1"))
            try await f.until { f.service.answersInProgress == 0 }
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .stopped)
            #expect(!message.content.isEmpty && message.content.count < StandInConfiguration.defaultAnswer.count)
            try await f.until { f.standIn!.abandonedStreams == 1 }
        }
    }

    /// Stop, then Retry at once: the retry came while the stopped job was still ending, and the job's end took the
    /// retried answer's entry with it, so no later Stop reached it.
    @Test func aRetryWhileTheStoppedJobStillEndsIsRefusedAndStopAlwaysEndsTheRunningAnswer() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            // It stalls after twelve words, so Stop always comes before its end, however busy the machine.
            f.service.handle(.ask(thread: nil, content: faulty("token-delay=0.05,stall-after=12")), from: ChatFixture.client("s1"))
            let answer = try await f.eventually { () throws -> Int64? in
                let id = f.service.live.answerIDs.first
                return id.flatMap { f.service.live[$0]?.blocks.isEmpty == false ? $0 : nil }
            }
            // The page presses Retry the moment the stopped answer's ending (with its Retry button) arrives.
            let service = f.service
            f.broadcaster.afterEachPublish { envelopes in
                guard envelopes.contains(where: { $0.action == .after && $0.html.contains("data-retry") }) else { return }
                service.handle(.retry(message: String(answer)), from: ChatFixture.client("s1"))
            }
            f.service.handle(.stop(message: String(answer)), from: ChatFixture.client("s1"))
            try await f.until { f.broadcaster.envelopes(toConnection: 1).contains { $0.html.contains("still finishing") } }
            f.broadcaster.afterEachPublish { _ in }
            try await f.until { f.service.answersInProgress == 0 }
            #expect(try f.store.message(answer)?.status == .stopped)
            // Retried once the job has ended: Stop ends it again.
            f.service.handle(.retry(message: String(answer)), from: ChatFixture.client("s1"))
            try await f.until { f.service.live[answer]?.blocks.isEmpty == false }
            f.service.handle(.stop(message: String(answer)), from: ChatFixture.client("s1"))
            try await f.until { f.service.answersInProgress == 0 }
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .stopped && message.content.count < StandInConfiguration.defaultAnswer.count)
        }
    }

    @Test func anotherSessionCanNeitherStopNorAskInTheThread() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            f.service.handle(.ask(thread: nil, content: faulty("token-delay=0.1")), from: ChatFixture.client("owner"))
            let answer = try await f.eventually { f.service.live.answerIDs.first }
            let thread = try #require(try f.store.thread(ofMessage: answer, session: "owner"))
            f.service.handle(.stop(message: String(answer)), from: ChatFixture.client("intruder", connection: 2))
            f.service.handle(.ask(thread: String(thread.id), content: "Me too?"), from: ChatFixture.client("intruder", connection: 2))
            // Not even whether the answer is running is told.
            f.service.handle(.retry(message: String(answer)), from: ChatFixture.client("intruder", connection: 3))
            #expect(f.broadcaster.envelopes(toConnection: 3).map(\.html).contains { $0.contains("not_found") })
            try await f.until { f.broadcaster.envelopes(toConnection: 2).contains { $0.html.contains("not_found") } }
            try await f.until { f.service.answersInProgress == 0 }
            #expect(try f.store.message(answer)?.status == .complete, "the intruder's stop was ignored")
            #expect(try f.store.messages(thread: thread.id).count == 2, "the intruder's question was not added")
            #expect(f.service.snapshot(of: "session/intruder/thread/\(thread.id)").isEmpty)
        }
    }

    @Test func questionsBeyondTheRateAreRefusedClearly() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false,
                                    configuration: ChatConfiguration(updateInterval: .zero, questionsPerMinute: 2))
            for _ in 0..<3 { f.service.handle(.ask(thread: nil, content: "Granite?"), from: ChatFixture.client("s1")) }
            try await f.until { f.broadcaster.envelopes(toConnection: 1).contains { $0.html.contains("too_many_questions") } }
            let notice = f.broadcaster.envelopes(toConnection: 1).first { $0.html.contains("too_many_questions") }!
            #expect(notice.html.contains("Please wait"))
            try await f.until { try f.store.threads(session: "s1").count == 2 && f.service.answersInProgress == 0 }
            #expect(f.broadcaster.envelopes(toConnection: 1).filter { $0.html.contains("too_many_questions") }.count == 1)
        }
    }

    @Test(arguments: ["", "   \n  ", String(repeating: "x", count: 4_001)])
    func emptyOrHugeQuestionsAreRefused(question: String) async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            f.service.handle(.ask(thread: nil, content: question), from: ChatFixture.client("s1"))
            #expect(f.broadcaster.envelopes(toConnection: 1).first?.html.contains("bad_question") == true)
            #expect(try f.store.threads(session: "s1").isEmpty)
        }
    }

    @Test func answersBeyondTheCapWaitTheirTurn() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder,
                                    configuration: ChatConfiguration(updateInterval: .zero, maxConcurrentAnswers: 1))
            defer { f.stop() }
            let first = try await f.askHeld()
            f.service.handle(.ask(thread: nil, content: "Second question?"), from: ChatFixture.client("s2", connection: 2))
            try await f.until { f.service.slots.waitingCount == 1 }
            f.release(first)
            try await f.until { try f.service.answersInProgress == 0 && f.store.threads(session: "s2").count == 1 }
            let second = try f.store.messages(thread: try f.store.threads(session: "s2")[0].id).last!
            #expect(second.thinking.hasPrefix("Waiting for another answer to finish…"))
            #expect(second.status == .complete)
        }
    }

    @Test func aTimeoutEndsARunawayAnswer() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder,
                                    configuration: ChatConfiguration(updateInterval: .zero, answerTimeout: .seconds(1)))
            defer { f.stop() }
            let answer = try await f.ask(faulty("stall-after=3"))
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .error && message.error?.contains("took too long") == true)
            #expect(!message.content.isEmpty)
        }
    }

    @Test func anAnswerCutByARestartIsInterruptedAndCanBeRetried() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            // What a killed server leaves: an answer still streaming, with a checkpoint of its text.
            let exchange = try #require(try f.store.startExchange(session: "s1", thread: nil, title: "Granite", question: "Granite?"))
            try f.store.checkpoint(message: exchange.answer, content: "Half an", thinking: "Searching knowledge base…")
            try f.service.recoverAfterRestart()
            let interrupted = try #require(try f.store.message(exchange.answer))
            #expect(interrupted.status == .interrupted && interrupted.content == "Half an")
            let snapshot = f.service.snapshot(of: "session/s1/thread/\(exchange.thread.id)").first!.html
            #expect(snapshot.contains("Half an") && snapshot.contains("data-retry=\"\(exchange.answer)\""))
            f.service.handle(.retry(message: String(exchange.answer)), from: ChatFixture.client("s1"))
            try await f.until { (try f.store.message(exchange.answer)?.status) == .complete }
            #expect(try f.store.message(exchange.answer)?.content == StandInConfiguration.defaultAnswer)
            #expect(try f.store.messages(thread: exchange.thread.id).count == 2, "retried in place")
        }
    }

    @Test func aSnapshotMidAnswerMeetsTheLiveUpdatesExactly() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            f.service.handle(.ask(thread: nil, content: faulty("token-delay=0.02")), from: ChatFixture.client("s1"))
            let answer = try await f.eventually { () throws -> Int64? in
                let id = f.service.live.answerIDs.first
                return id.flatMap { (f.service.live[$0]?.blocks.count ?? 0) >= 1 ? $0 : nil }
            }
            let thread = try #require(try f.store.thread(ofMessage: answer, session: "s1")).id
            let stream = "session/s1/thread/\(thread)"
            // Subscribe as the Hub does: the snapshot and the position in the stream taken in one step.
            var taken: (html: String, blocks: [String], after: Int)?
            f.broadcaster.atomically { frames in
                taken = (f.service.snapshot(of: stream).first!.html, f.service.live[answer]?.blocks ?? [],
                         frames.filter { $0.stream == stream }.flatMap(\.envelopes).count)
            }
            let (html, blocks, after) = try #require(taken)
            #expect(html.contains("<div id=\"message-content-\(answer)\" class=\"content\">\(blocks.joined())</div>"))
            try await f.until { f.service.answersInProgress == 0 }
            // The page's content from the snapshot, then every update after it: exactly the final render.
            var content = ContentModel(id: answer)
            content.blocks = blocks
            for envelope in f.broadcaster.envelopes(to: stream).dropFirst(after) { content.apply(envelope) }
            #expect(content.html == Markdown.html(StandInConfiguration.defaultAnswer))
        }
    }
}
