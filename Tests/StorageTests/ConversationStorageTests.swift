// ConversationStorage's requirements, each checked on SQLite and on PostgreSQL: the same calls give the same results,
// so the chat's job code runs on either.
import Store
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// A thread of `count` ended exchanges in `session`; its id and the answers' ids, oldest first. Odd answers have a
/// source.
func seedThread(_ storage: any ConversationStorage, exchanges count: Int, session: String = "s") throws
    -> (thread: Int64, answers: [Int64])
{
    var thread: Int64?
    var answers: [Int64] = []
    for i in 0..<count {
        let exchange = try #require(try storage.startExchange(session: session, thread: thread, title: "t", question: "q\(i)"))
        thread = exchange.thread.id
        try storage.finishAnswer(message: exchange.answer, content: "answer *\(i)*", thinking: "", status: .complete,
                                 model: "m", error: nil, sources: i % 2 == 0 ? [] : [source(rank: 1, title: "Doc \(i)")])
        answers.append(exchange.answer)
    }
    return (thread!, answers)
}

func source(rank: Int, title: String, chunk: Int64? = nil, pages: ClosedRange<Int>? = nil) -> SourceRecord {
    SourceRecord(rank: rank, chunkID: chunk, documentTitle: title, headingPath: "Part › Section", excerpt: "an excerpt",
                 score: 2.5, distance: rank == 1 ? 0.25 : nil, relevance: 80, pages: pages)
}

@Suite struct ConversationStorageTests {
    @Test(arguments: Backend.available)
    func anExchangeStartsAThreadAndTheNextContinuesIt(backend: Backend) throws {
        try withStorage(backend) { storage in
            let first = try #require(try storage.startExchange(session: "s1", thread: nil, title: "Opening hours",
                                                               question: "When do you open?"))
            #expect(first.isNew && first.thread.title == "Opening hours" && first.thread.sessionID == "s1")
            #expect(first.question < first.answer)
            let second = try #require(try storage.startExchange(session: "s1", thread: first.thread.id, title: "ignored",
                                                                question: "And on Sundays?"))
            #expect(!second.isNew && second.thread.id == first.thread.id && second.thread.title == "Opening hours")
            #expect(second.question > first.answer && second.answer > second.question)
            // Another session's thread is not continued, and nothing is stored for the attempt.
            #expect(try storage.startExchange(session: "s2", thread: first.thread.id, title: "x", question: "?") == nil)
            let messages = try storage.messages(thread: first.thread.id)
            #expect(messages.map(\.role) == ["user", "assistant", "user", "assistant"])
            #expect(messages.map(\.content) == ["When do you open?", "", "And on Sundays?", ""])
            #expect(messages.map(\.status) == [.complete, .streaming, .complete, .streaming])
            #expect(try storage.message(second.answer)?.threadID == first.thread.id)
            #expect(try storage.message(999_999) == nil)
            #expect(try storage.thread(first.thread.id, session: "s1")?.title == "Opening hours")
            #expect(try storage.thread(first.thread.id, session: "s2") == nil)
            #expect(try storage.thread(ofMessage: second.answer, session: "s1")?.id == first.thread.id)
            #expect(try storage.thread(ofMessage: second.answer, session: "s2") == nil)
            #expect(try storage.question(answeredBy: second.answer)?.content == "And on Sundays?")
        }
    }

    @Test(arguments: Backend.available)
    func aSessionsThreadsComeMostRecentlyActiveFirst(backend: Backend) throws {
        try withStorage(backend) { storage in
            var ids: [Int64] = []
            for title in ["a", "b", "c"] {
                ids.append(try #require(try storage.startExchange(session: "s", thread: nil, title: title, question: "?")).thread.id)
            }
            _ = try storage.startExchange(session: "other", thread: nil, title: "not mine", question: "?")
            // Same second: ties go to the newest id first.
            #expect(try storage.threads(session: "s").map(\.title) == ["c", "b", "a"])
            #expect(try storage.threads(session: "s", limit: 2).map(\.title) == ["c", "b"])
            #expect(try storage.threads(session: "nobody").isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func anAnswersLifeCheckpointsEndAndSources(backend: Backend) throws {
        try withStorage(backend) { storage in
            let exchange = try #require(try storage.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            try storage.jobStarted(message: exchange.answer)
            try storage.checkpoint(message: exchange.answer, content: "Half an", thinking: "Searching")
            #expect(try storage.checkpointIfFree(message: exchange.answer, content: "Half an answer", thinking: "Searching"))
            var answer = try #require(try storage.message(exchange.answer))
            #expect(answer.content == "Half an answer" && answer.thinking == "Searching" && answer.status == .streaming)
            try storage.saveSources(message: exchange.answer, sources: [source(rank: 1, title: "Handbook")])
            #expect(try storage.sources(message: exchange.answer).map(\.documentTitle) == ["Handbook"])
            let sources = [source(rank: 2, title: "Policy", pages: 12...13), source(rank: 1, title: "Handbook", pages: 4...4)]
            try storage.finishAnswer(message: exchange.answer, content: "The whole answer.", thinking: "Searching\nWriting",
                                     status: .complete, model: "llama", error: nil, sources: sources)
            answer = try #require(try storage.message(exchange.answer))
            #expect(answer.id == exchange.answer && answer.threadID == exchange.thread.id && answer.role == "assistant")
            #expect(answer.content == "The whole answer." && answer.thinking == "Searching\nWriting")
            #expect(answer.status == .complete && answer.model == "llama" && answer.error == nil)
            let stored = try storage.sources(message: exchange.answer)
            #expect(stored == sources.sorted { $0.rank < $1.rank })
            #expect(stored.map(\.pages) == [4...4, 12...13])
            #expect(stored.first?.distance == 0.25 && stored.last?.distance == nil)
        }
    }

    @Test(arguments: Backend.available)
    func onlyAnAnswerThatEndedWithoutCompletingIsRestarted(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (_, answers) = try seedThread(storage, exchanges: 2)
            #expect(try storage.restartAnswer(answers[1], session: "s") == false)  // complete
            try storage.finishAnswer(message: answers[1], content: "partial", thinking: "t", status: .error, model: "m",
                                     error: "The model stopped answering.", sources: [source(rank: 1, title: "D")])
            #expect(try storage.restartAnswer(answers[1], session: "other") == false)  // not this session's
            #expect(try storage.restartAnswer(answers[0] - 1, session: "s") == false)  // a question
            #expect(try storage.restartAnswer(answers[1], session: "s"))
            let restarted = try #require(try storage.message(answers[1]))
            #expect(restarted.content.isEmpty && restarted.thinking.isEmpty && restarted.status == .streaming)
            #expect(restarted.error == nil && restarted.model == nil)
            #expect(try storage.sources(message: answers[1]).isEmpty)
            #expect(try storage.restartAnswer(answers[1], session: "s") == false)  // streaming again
        }
    }

    @Test(arguments: Backend.available)
    func historyHoldsQuestionsAndCompletedAnswersBeforeTheMessage(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (thread, answers) = try seedThread(storage, exchanges: 3)
            try storage.finishAnswer(message: answers[1], content: "cut short", thinking: "", status: .stopped,
                                     model: nil, error: "Stopped.", sources: [])
            let history = try storage.history(before: answers[2], thread: thread, limit: 10)
            #expect(history.map(\.content) == ["q0", "answer *0*", "q1", "q2"])
            #expect(try storage.history(before: answers[2], thread: thread, limit: 2).map(\.content) == ["q1", "q2"])
        }
    }

    @Test(arguments: Backend.available)
    func aThreadIsReadBackwardsInPartsOfWholeExchangesThatMeetExactly(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (thread, answers) = try seedThread(storage, exchanges: 45)
            var parts: [ThreadPage] = []
            var before: Int64?
            repeat {
                let page = try storage.threadPage(thread, before: before, exchanges: 20, renderer: 1)
                parts.append(page)
                before = page.earlier
            } while before != nil
            #expect(parts.map { $0.messages.count } == [40, 40, 10])
            #expect(parts.allSatisfy { $0.messages.first?.role == "user" })
            #expect(parts.reversed().flatMap(\.messages).map(\.id) == (try storage.messages(thread: thread)).map(\.id))
            #expect(parts[0].sources[answers[44]] == nil)
            #expect(parts[0].sources[answers[43]]?.map(\.documentTitle) == ["Doc 43"])
        }
    }

    @Test(arguments: Backend.available)
    func keptHTMLIsReturnedOnlyForItsRendererAndTheTextItWasMadeFrom(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (thread, answers) = try seedThread(storage, exchanges: 2)
            #expect(try storage.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML.isEmpty)
            try storage.keepContentHTML([(answers[0], "answer *0*", "<p>zero</p>"),
                                         (answers[1], "a text it no longer has", "<p>stale</p>")], renderer: 7)
            #expect(try storage.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML
                        == [answers[0]: "<p>zero</p>"])
            #expect(try storage.threadPage(thread, before: nil, exchanges: 5, renderer: 8).contentHTML.isEmpty)
            // The answer's new end empties it, and so does a retry.
            try storage.finishAnswer(message: answers[0], content: "answer *0*", thinking: "", status: .stopped,
                                     model: nil, error: nil, sources: [])
            #expect(try storage.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML.isEmpty)
            try storage.keepContentHTML([(answers[0], "answer *0*", "<p>zero</p>")], renderer: 7)
            #expect(try storage.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML
                        == [answers[0]: "<p>zero</p>"])
            #expect(try storage.restartAnswer(answers[0], session: "s"))
            // While it streams again, nothing is kept for it. (Interrupting it keeps what is stored, so the page
            // read after shows whatever the retry and the keep left.)
            try storage.keepContentHTML([(answers[0], "", "<p>empty</p>")], renderer: 7)
            #expect(try storage.interruptUnfinishedAnswers(reason: "The server stopped.") == 1)
            #expect(try storage.threadPage(thread, before: nil, exchanges: 5, renderer: 7).contentHTML.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func answersLeftStreamingByAStoppedServerAreInterrupted(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (_, done) = try seedThread(storage, exchanges: 1)
            let running = try #require(try storage.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            try storage.checkpoint(message: running.answer, content: "kept so far", thinking: "")
            #expect(try storage.interruptUnfinishedAnswers(reason: "The server stopped.") == 1)
            let interrupted = try #require(try storage.message(running.answer))
            #expect(interrupted.status == .interrupted && interrupted.error == "The server stopped.")
            #expect(interrupted.content == "kept so far")
            #expect(try storage.message(done[0])?.status == .complete)
            #expect(try storage.restartAnswer(running.answer, session: "s"))
            #expect(try storage.interruptUnfinishedAnswers(reason: "again") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func aRemovedSessionTakesItsThreadsAndOnlyThem(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (thread, answers) = try seedThread(storage, exchanges: 2, session: "kiosk")
            _ = try storage.startExchange(session: "kiosk", thread: nil, title: "still streaming", question: "?")
            let (kept, _) = try seedThread(storage, exchanges: 1, session: "other")
            #expect(try storage.removeSession("kiosk") == 2)
            #expect(try storage.threads(session: "kiosk").isEmpty)
            #expect(try storage.messages(thread: thread).isEmpty)
            #expect(try storage.sources(message: answers[1]).isEmpty)
            #expect(try storage.messages(thread: kept).count == 2)
            #expect(try storage.removeSession("kiosk") == 0)
        }
    }

    @Test(arguments: Backend.available)
    func aSourceOpensOnlyForItsOwnSession(backend: Backend) throws {
        try withStorage(backend) { storage in
            let (thread, answers) = try seedThread(storage, exchanges: 2)
            let found = try #require(try storage.readableSource(message: answers[1], rank: 1, session: "s"))
            #expect(found.thread == thread && found.chunk == nil)
            #expect(try storage.readableSource(message: answers[1], rank: 1, session: "other") == nil)
            #expect(try storage.readableSource(message: answers[1], rank: 2, session: "s") == nil)
            #expect(try storage.chunkPlace(id: 12_345) == nil)
            #expect(try storage.readableDocument(id: 12_345) == nil)
            #expect(try storage.readableChunks(document: 12_345, from: 0, limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func hostileTextIsStoredAsText(backend: Backend) throws {
        try withStorage(backend) { storage in
            let hostile = "'); DROP TABLE messages; -- $1 \\ \" ⁂ 😀 e\u{301}"
            let exchange = try #require(try storage.startExchange(session: "s'--", thread: nil, title: hostile, question: hostile))
            #expect(try storage.message(exchange.question)?.content == hostile)
            #expect(try storage.threads(session: "s'--").first?.title == hostile)
            // A NUL (which SQLite keeps and PostgreSQL's text cannot hold) never fails the write.
            try storage.finishAnswer(message: exchange.answer, content: "before\u{0}after", thinking: "", status: .complete,
                                     model: nil, error: nil, sources: [])
            let content = try #require(try storage.message(exchange.answer)?.content)
            #expect(content == "before\u{0}after" || content == "before\u{FFFD}after")
            // The same in a document's title and text: stored, never a failed batch.
            try storage.apply([.replace(path: "/docs/nul.txt", title: "A\u{0}title", contentHash: "h", size: 1,
                                        modifiedAt: 1, chunks: [NewChunk(ordinal: 0, headingPath: [], text: "x\u{0}y")])])
            let id = try #require(try storage.documents()["/docs/nul.txt"]).id
            let text = try #require(try storage.readableChunks(document: id, from: 0, limit: 1).first).text
            #expect(text == "x\u{0}y" || text == "x\u{FFFD}y")
        }
    }

    @Test(arguments: Backend.available)
    func twoHostsOnOneDatabaseSeeEachOthersWrites(backend: Backend) throws {
        try withStorage(backend) { storage in
            let other = try openAgain(storage)
            let exchange = try #require(try storage.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            try other.finishAnswer(message: exchange.answer, content: "answered on the other host", thinking: "",
                                   status: .complete, model: nil, error: nil, sources: [])
            #expect(try storage.message(exchange.answer)?.content == "answered on the other host")
            #expect(try other.threads(session: "s").map(\.id) == [exchange.thread.id])
        }
    }
}

@Suite struct RetentionAndSettingsTests {
    @Test(arguments: Backend.available)
    func idleConversationsGoInShortTransactionsAndStreamingOnesStay(backend: Backend) throws {
        try withStorage(backend) { storage in
            let start = Int64(time(nil))
            for index in 0..<7 { _ = try seedThread(storage, exchanges: 1, session: "s\(index % 3)") }
            let streaming = try #require(try storage.startExchange(session: "busy", thread: nil, title: "t", question: "?"))
            #expect(try storage.removeIdleConversations(idle: 30 * 86_400, now: start + 10 * 86_400, batch: 2)
                        == RetentionSweep())
            #expect(try storage.removeIdleConversations(idle: 30 * 86_400, now: start + 40 * 86_400, batch: 2)
                        == RetentionSweep(threads: 7, sessions: 3))
            #expect(try storage.threads(session: "busy").map(\.id) == [streaming.thread.id])
            #expect(try storage.messages(thread: streaming.thread.id).count == 2)
        }
    }

    @Test(arguments: Backend.available)
    func everyHostGetsTheSameServerSecretAndAnOverrideWins(backend: Backend) throws {
        try withStorage(backend) { storage in
            let other = try openAgain(storage)
            let first = try storage.serverSecret(environment: nil)
            #expect(first.count == Store.minimumSecretLength)
            #expect(try other.serverSecret(environment: nil) == first)
            #expect(try other.serverSecret(environment: "") == first)
            let override = String(repeating: "k", count: 40)
            #expect(try storage.serverSecret(environment: override) == Array(override.utf8))
            #expect(throws: StoreError.secretTooShort(byteCount: 5)) { try storage.serverSecret(environment: "short") }
            #expect(try storage.settingKeepingFirst("x", [1]) == [1])
            #expect(try other.settingKeepingFirst("x", [2]) == [1])
        }
    }
}
