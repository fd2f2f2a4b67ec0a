@testable import Chat
import Contracts
import LLM
import Locking
import StandIn
import Store
import TestSupport
import Testing
import TurboStream

/// The chat's limits against the real service (SQLite file, stand-in model over loopback): per address as well as
/// per session, fair slots, the model ceiling, sizes in bytes, and what reaches the page and the log.
@Suite struct ChatLimitsTests {
    /// The error notices sent to `connection` with `code`, as the page shows them.
    static func notices(_ f: ChatFixture, _ connection: ConnectionID, _ code: Wire.ErrorCode) -> [String] {
        f.broadcaster.envelopes(toConnection: connection).map(\.html).filter { $0.contains("data-error=\"\(code.rawValue)\"") }
    }

    static func threads(_ f: ChatFixture, _ sessions: [String]) throws -> Int {
        try sessions.reduce(0) { try $0 + f.store.threads(session: $1).count }
    }

    @Test func freshSessionsFromOneAddressShareItsQuestionsAMinute() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false,
                                    configuration: ChatConfiguration(updateInterval: .zero, questionsPerMinutePerPeer: 3))
            let sessions = (1...5).map { "fresh\($0)" }
            for (index, session) in sessions.enumerated() {
                f.service.handle(.ask(thread: nil, content: "Granite?"),
                                 from: ChatFixture.client(session, connection: ConnectionID(index + 1), peer: "10.0.0.7"))
            }
            f.service.handle(.ask(thread: nil, content: "Granite?"), from: ChatFixture.client("next-door", connection: 9, peer: "10.0.0.8"))
            try await f.until { try f.service.answersInProgress == 0 && Self.threads(f, sessions + ["next-door"]) == 4 }
            #expect(try Self.threads(f, sessions) == 3)
            #expect(try f.store.threads(session: "next-door").count == 1, "another address has its own share")
            for connection: ConnectionID in [4, 5] {
                let notice = try #require(Self.notices(f, connection, .tooManyQuestions).first)
                #expect(notice.contains("That is 3 questions in a minute from this computer&#39;s network address. Please wait"))
            }
            #expect(Self.notices(f, 3, .tooManyQuestions).isEmpty)
        }
    }

    @Test func questionsAMinuteCountedAcrossHostsRefuseWhatThisHostWouldTakeWithNothingSaved() async throws {
        try await withTemporaryDirectoryAsync { folder in
            // Another host took the session's questions: the count across hosts says so (the address has room).
            let across = FullRates(full: "session:s1", wait: .seconds(42))
            let f = try ChatFixture(folder: folder, model: false,
                                    configuration: ChatConfiguration(updateInterval: .zero, questionsPerMinute: 1),
                                    sharedRates: across)
            // Twice: a question refused across hosts does not count on this host either, so the second is refused
            // across hosts again, not by this host's own count of one a minute.
            for attempt in 1...2 {
                f.service.handle(.ask(thread: nil, content: "Granite?"), from: ChatFixture.client("s1"))
                try await f.until { Self.notices(f, 1, .tooManyQuestions).count == attempt && f.service.answersInProgress == 0 }
            }
            #expect(Self.notices(f, 1, .tooManyQuestions).first?.contains("Please wait 42 s before asking again") == true)
            #expect(try f.store.threads(session: "s1").isEmpty)
            #expect(f.log.lines(startingWith: "refused a question: the session's questions a minute across hosts").count == 2)
            // Another session passes, counted with its address.
            _ = try await f.ask("Granite?", session: "s2", connection: 2)
            #expect(across.asked.current.last?.map(\.key) == ["session:s2", "peer:127.0.0.1"])
        }
    }

    @Test func answersHeldAcrossHostsRefuseWhatThisHostWouldTakeAndAnAnswersPlaceGoesWithIt() async throws {
        try await withTemporaryDirectoryAsync { folder in
            // Another host runs the session's answer: the count across hosts says so.
            let holds = MemoryHolds(full: "session:s1")
            let f = try ChatFixture(folder: folder, model: false, sharedHolds: holds)
            f.service.handle(.ask(thread: nil, content: "Granite?"), from: ChatFixture.client("s1"))
            try await f.until { !Self.notices(f, 1, .tooManyQuestions).isEmpty && f.service.answersInProgress == 0 }
            #expect(Self.notices(f, 1, .tooManyQuestions).first?.contains("Your earlier questions are still being answered") == true)
            #expect(try f.store.threads(session: "s1").isEmpty)
            #expect(f.log.lines(startingWith: "refused a question: session holds its share of answers across hosts").count == 1)
            // Another session's answer holds its place while it runs, and gives it back when it ends.
            _ = try await f.ask("Granite?", session: "s2", connection: 2)
            try await f.until { holds.released.current.count == 1 }
            #expect(holds.held.current.count == 1 && holds.released.current == holds.held.current)
            #expect(holds.keys.current.first == ["session:s2", "peer:127.0.0.1"])
        }
    }

    @Test func aSessionHasOneAnswerRunningAndOneWaitingAndTheNextIsRefusedWithNothingSaved() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let first = try await f.askHeld()
            f.service.handle(.ask(thread: nil, content: "Second?"), from: ChatFixture.client("s1"))
            try await f.until { f.service.slots.waitingCount == 1 }
            f.service.handle(.ask(thread: nil, content: "Third?"), from: ChatFixture.client("s1"))
            let notice = try #require(Self.notices(f, 1, .tooManyQuestions).first)
            #expect(notice.contains("Your earlier questions are still being answered. Please wait for one to finish"))
            #expect(f.service.slots.running == 1, "free slots, but a session runs one answer at a time")
            f.release(first)
            try await f.until { f.service.answersInProgress == 0 }
            let threads = try f.store.threads(session: "s1")
            #expect(threads.map(\.title).sorted() == [f.heldQuestion, "Second?"])
            let secondThread = try #require(threads.first { $0.title == "Second?" })
            let second = try #require(try f.store.messages(thread: secondThread.id).last)
            #expect(second.status == .complete && second.thinking.hasPrefix("Waiting for another answer to finish…"))
            // A place came free: the session may ask again.
            try await f.ask("Fourth?")
        }
    }

    /// One slot: a's first answer runs, a's second waits, then b's. b goes first when the slot frees.
    @Test func aFreeSlotGoesToTheSessionServedLongestAgo() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, configuration: ChatConfiguration(updateInterval: .zero, maxConcurrentAnswers: 1))
            defer { f.stop() }
            let first = try await f.askHeld(session: "a")
            f.service.handle(.ask(thread: nil, content: "A again?"), from: ChatFixture.client("a"))
            try await f.until { f.service.slots.waitingCount == 1 }
            f.service.handle(.ask(thread: nil, content: "B here?"), from: ChatFixture.client("b", connection: 2))
            try await f.until { f.service.slots.waitingCount == 2 }
            f.release(first, session: "a")
            try await f.until { f.service.answersInProgress == 0 }
            func answer(_ session: String, _ title: String) throws -> Int64 {
                let thread = try #require(try f.store.threads(session: session).first { $0.title == title })
                return try #require(try f.store.messages(thread: thread.id).last?.id)
            }
            let order = try [answer("a", f.heldQuestion), answer("a", "A again?"), answer("b", "B here?")]
                .map { id in
                    f.broadcaster.frames.firstIndex { frame in
                        frame.envelopes.contains { $0.target == .id(Wire.ElementID.thinkingSteps(id))
                            && $0.html.contains("Searching knowledge base") }
                    } ?? -1
                }
            #expect(order[0] >= 0 && order[0] < order[2] && order[2] < order[1], "started in the order a, b, a: \(order)")
        }
    }

    @Test func aFullQueueRefusesNewQuestionsUntilAnAnswerFinishes() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, configuration: ChatConfiguration(
                updateInterval: .zero, maxConcurrentAnswers: 1, maxWaitingAnswers: 1))
            defer { f.stop() }
            let first = try await f.askHeld()
            f.service.handle(.ask(thread: nil, content: "Waiting?"), from: ChatFixture.client("s2", connection: 2))
            f.service.handle(.ask(thread: nil, content: "Refused?"), from: ChatFixture.client("s3", connection: 3))
            let notice = try #require(Self.notices(f, 3, .tooManyQuestions).first)
            #expect(notice.contains("Quarry is busy answering other people&#39;s questions. Please try again in a minute."))
            #expect(try f.store.threads(session: "s3").isEmpty)
            f.release(first)
            try await f.until { f.service.answersInProgress == 0 }
            try await f.ask("Now?", session: "s3", connection: 3)
        }
    }

    @Test func theModelCeilingRefusesQuestionsAndSaysWhenToAskAgain() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, llm: { $0.maxRequestsPerMinute = 2 })
            defer { f.stop() }
            try await f.ask("One?", session: "s1")
            try await f.ask("Two?", session: "s2", connection: 2)
            f.service.handle(.ask(thread: nil, content: "Three?"), from: ChatFixture.client("s3", connection: 3, peer: "10.1.1.1"))
            let notice = try #require(Self.notices(f, 3, .tooManyQuestions).first)
            #expect(notice.contains("Quarry has asked the language model all the questions it may this minute. "
                                    + "Please try again in "))
            #expect(try f.store.threads(session: "s3").isEmpty)
            #expect(f.standIn!.requests.filter { $0.path.hasSuffix("/chat/completions") }.count == 2)
        }
    }

    @Test func retriesCountAgainstTheCeilingAndAnAnswerPastItSaysWhenToAskAgain() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, llm: { $0.maxRequestsPerMinute = 1 })
            defer { f.stop() }
            // The first attempt fails (500) and takes the minute's one place; its retry is not sent.
            let answer = try await f.ask(faulty("status=500,times=1"))
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .error)
            #expect(message.error?.hasPrefix("Quarry has asked the language model all the questions it may this minute. "
                                             + "Please try again in ") == true, "\(message.error ?? "")")
            #expect(f.standIn!.requests.count == 1)
        }
    }

    @Test func aQuestionIsMeasuredInBytesAsWellAsCharacters() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            // One letter and 20,000 combining acute accents: 1 character, 40,001 bytes.
            let heavy = "e" + String(repeating: "\u{301}", count: 20_000)
            #expect(heavy.count == 1)
            f.service.handle(.ask(thread: nil, content: heavy), from: ChatFixture.client("s1"))
            let notice = try #require(Self.notices(f, 1, .badQuestion).first)
            #expect(notice.contains("That question is too long. Please shorten it."))
            #expect(try f.store.threads(session: "s1").isEmpty)
            // Under the byte limit, its title is still cut in bytes.
            let answer = try await f.ask("e" + String(repeating: "\u{301}", count: 3_000) + " granite")
            let thread = try #require(try f.store.message(answer)).threadID
            let title = try #require(try f.store.threads(session: "s1").first { $0.id == thread }).title
            #expect(title.utf8.count <= 240 && title.hasSuffix("…") && title.unicodeScalars.starts(with: "e\u{301}".unicodeScalars))
        }
    }

    @Test(arguments: [("status=500,times=9", "Sorry about that!"), ("error-after=3", "Sorry about that!")])
    func theModelServicesOwnWordsGoToTheLogNotThePage(spec: String, upstream: String) async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let answer = try await f.ask(faulty(spec))
            let message = try #require(try f.store.message(answer))
            #expect(message.status == .error)
            #expect(message.error == "The language model service had a problem. Please try again in a moment.")
            #expect(!f.broadcaster.frames.flatMap(\.envelopes).contains { $0.html.contains(upstream) })
            let snapshot = f.service.snapshot(of: "session/s1/thread/\(message.threadID)")
            #expect(!snapshot.contains { $0.html.contains(upstream) })
            #expect(f.log.lines(startingWith: "answer failed").contains { $0.contains(upstream) }, "\(f.log.all)")
        }
    }

    @Test func theChatsClientCausedLogLinesAreLimited() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, configuration: ChatConfiguration(updateInterval: .zero, questionsPerMinute: 100))
            defer { f.stop() }
            for _ in 0..<12 { try await f.ask(faulty("status=401")) }
            let failed = f.log.lines(startingWith: "answer failed")
            #expect(failed.count == LogLimiter().burst, "\(failed.count) lines")
            for n in 0..<15 {
                f.service.handle(.ask(thread: nil, content: "Again?"), from: ChatFixture.client("s1", connection: ConnectionID(n)))
            }
            #expect(f.log.lines(startingWith: "refused a question").count <= LogLimiter().burst)
        }
    }
}

/// Questions a minute across hosts where one key is full.
final class FullRates: SharedRateLimits, @unchecked Sendable {
    let full: String
    let wait: Duration
    let asked = Locked<[[(key: String, perMinute: Int)]]>([])
    init(full: String, wait: Duration) {
        self.full = full
        self.wait = wait
    }
    func admit(_ limits: [(key: String, perMinute: Int)], window: Duration) -> (index: Int, wait: Duration)? {
        asked.withLock { $0.append(limits) }
        return limits.firstIndex { $0.key == full }.map { ($0, wait) }
    }
}

/// Answers held across hosts, where one key is full.
final class MemoryHolds: SharedAnswerHolds, @unchecked Sendable {
    let full: String
    let held = Locked<[String]>([])
    let keys = Locked<[[String]]>([])
    let released = Locked<[String]>([])
    init(full: String) { self.full = full }
    func hold(_ token: String, _ limits: [(key: String, most: Int)], expiry: Duration) -> Int? {
        if let index = limits.firstIndex(where: { $0.key == full }) { return index }
        held.withLock { $0.append(token) }
        keys.withLock { $0.append(limits.map(\.key)) }
        return nil
    }
    func release(_ token: String, keys: [String]) { released.withLock { $0.append(token) } }
}
