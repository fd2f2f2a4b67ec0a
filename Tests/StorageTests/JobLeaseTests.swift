// Answers across hosts: each host's jobs carry its name and a lease it renews; when a host stops renewing (it died),
// another interrupts its answers with the text checkpointed so far, once, and a retry on any host takes the answer
// over for good. Checked on SQLite (several processes on one file) and PostgreSQL (several hosts).
import Store
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct JobLeaseTests {
    static let a = JobHost(name: "host-a:8080", lease: 30)
    static let b = JobHost(name: "host-b:8080", lease: 30)
    static let reason = "The host answering this stopped before it finished."

    @Test(arguments: Backend.available)
    func aDeadHostsAnswerIsInterruptedOnceWithItsCheckpointedTextAfterItsLease(backend: Backend) throws {
        try withStorage(backend, host: Self.a) { a in
            let b = try openAgain(a, host: Self.b), c = try openAgain(a, host: JobHost(name: "host-c:8080"))
            let exchange = try #require(try a.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            try a.jobStarted(message: exchange.answer)
            try a.checkpoint(message: exchange.answer, content: "The first half", thinking: "Searching")
            let now = Int64(time(nil))
            #expect(try b.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 20).isEmpty)
            #expect(try a.message(exchange.answer)?.status == .streaming)
            // Host A stops renewing; 30 s on, B notices. C, sweeping right after, finds nothing left.
            let lost = try b.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 40)
            #expect(lost == [LostAnswer(message: exchange.answer, thread: exchange.thread.id, session: "s", host: Self.a.name)])
            #expect(try c.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 40).isEmpty)
            // A host never takes its own answers: while it runs, they are not lost.
            let own = try #require(try b.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            #expect(try b.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 40).isEmpty)
            #expect(try b.message(own.answer)?.status == .streaming)
            let answer = try #require(try b.message(exchange.answer))
            #expect(answer.status == .interrupted && answer.error == Self.reason)
            #expect(answer.content == "The first half" && answer.thinking == "Searching")
        }
    }

    @Test(arguments: Backend.available)
    func renewingKeepsAnAnswerAndAQueuedOneIsLeasedToo(backend: Backend) throws {
        try withStorage(backend, host: Self.a) { a in
            let b = try openAgain(a, host: Self.b)
            let running = try #require(try a.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            try a.jobStarted(message: running.answer)
            let queued = try #require(try a.startExchange(session: "s2", thread: nil, title: "t", question: "q"))
            _ = try b.startExchange(session: "s3", thread: nil, title: "t", question: "q")
            #expect(try a.renewLeases() == 2)
            #expect(try b.renewLeases() == 1)
            let now = Int64(time(nil))
            #expect(try b.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 25).isEmpty)
            let lost = try b.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 45)
            #expect(Set(lost.map(\.message)).isSuperset(of: [running.answer, queued.answer]))
            #expect(try a.message(queued.answer)?.status == .interrupted)
            // A finished job has no lease to run out.
            try a.finishAnswer(message: running.answer, content: "late", thinking: "", status: .complete, model: nil,
                               error: nil, sources: [])
            #expect(try b.interruptAnswersOfLostHosts(reason: Self.reason, now: now + 3_600).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func aRetryOnAnotherHostTakesTheAnswerOverAndTheOldHostsLateWritesChangeNothing(backend: Backend) throws {
        try withStorage(backend, host: Self.a) { a in
            let b = try openAgain(a, host: Self.b)
            let exchange = try #require(try a.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            try a.jobStarted(message: exchange.answer)
            try a.checkpoint(message: exchange.answer, content: "from A", thinking: "")
            _ = try b.interruptAnswersOfLostHosts(reason: Self.reason, now: Int64(time(nil)) + 60)
            #expect(try b.restartAnswer(exchange.answer, session: "s"))
            try b.jobStarted(message: exchange.answer)
            // Host A was only slow, not dead: what it writes now is refused, B's answer stands.
            try a.checkpoint(message: exchange.answer, content: "from A, late", thinking: "")
            #expect(try a.checkpointIfFree(message: exchange.answer, content: "from A, later", thinking: "") || true)
            try a.finishAnswer(message: exchange.answer, content: "A's end", thinking: "", status: .complete,
                               model: nil, error: nil, sources: [source(rank: 1, title: "A's source")])
            var answer = try #require(try b.message(exchange.answer))
            #expect(answer.status == .streaming && answer.content.isEmpty)
            #expect(try b.sources(message: exchange.answer).isEmpty)
            try b.finishAnswer(message: exchange.answer, content: "B's end", thinking: "", status: .complete,
                               model: nil, error: nil, sources: [source(rank: 1, title: "B's source")])
            answer = try #require(try a.message(exchange.answer))
            #expect(answer.status == .complete && answer.content == "B's end")
            #expect(try a.sources(message: exchange.answer).map(\.documentTitle) == ["B's source"])
        }
    }

    @Test(arguments: Backend.available)
    func aRestartedHostTakesBackOnlyItsOwnAnswers(backend: Backend) throws {
        try withStorage(backend, host: Self.a) { a in
            let b = try openAgain(a, host: Self.b)
            let mine = try #require(try a.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            let theirs = try #require(try b.startExchange(session: "s", thread: nil, title: "t", question: "q"))
            let restartedA = try openAgain(a, host: Self.a)
            #expect(try restartedA.interruptUnfinishedAnswers(reason: "The server stopped.") == 1)
            #expect(try b.message(mine.answer)?.status == .interrupted)
            #expect(try b.message(theirs.answer)?.status == .streaming)
        }
    }
}

@Suite struct SharedCeilingTests {
    @Test(arguments: Backend.available)
    func eachHostHearsWhatTheOthersSentLatelyAndAQuietOneStopsCounting(backend: Backend) throws {
        try withStorage(backend, host: JobLeaseTests.a) { a in
            let b = try openAgain(a, host: JobLeaseTests.b), c = try openAgain(a, host: JobHost(name: "host-c"))
            let now = Int64(time(nil))
            #expect(try a.shareModelRequests(mine: 3, now: now) == 0)
            let shared = backend == .postgresql
            #expect(try b.shareModelRequests(mine: 4, now: now) == (shared ? 3 : 0))
            #expect(try a.shareModelRequests(mine: 5, now: now + 1) == (shared ? 4 : 0))
            #expect(try c.shareModelRequests(mine: 0, now: now + 1) == (shared ? 9 : 0))
            // B has said nothing for more than 5 s: it has stopped (or died), and counts no more.
            #expect(try a.shareModelRequests(mine: 5, now: now + 7) == 0)
        }
    }
}
