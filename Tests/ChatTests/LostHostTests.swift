// A host that stops renewing its leases (it died) loses its answers to the hosts still running: each becomes
// interrupted with the text its host last saved, and the pages following its thread are told.
@testable import Chat
import Contracts
import Locking
import Store
import TestSupport
import Testing
import TurboStream

@Suite struct LostHostTests {
    @Test func aDeadHostsAnswerIsInterruptedHereWithItsSavedTextAndThePageIsTold() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let fixture = try ChatFixture(folder: folder, model: false)
            // Another host on the same database, whose lease has already run out: it died mid-answer.
            let dead = try Store(path: folder + "/chat.db", host: JobHost(name: "host-b:8080", lease: -60))
            let exchange = try #require(try dead.startExchange(session: "s9", thread: nil, title: "t", question: "Granite?"))
            try dead.jobStarted(message: exchange.answer)
            try dead.checkpoint(message: exchange.answer, content: "Granite is quarried", thinking: "")
            // This host's own answers are never taken from it.
            let own = try #require(try fixture.store.startExchange(session: "s1", thread: nil, title: "t", question: "?"))

            let lost = try fixture.service.keepLeases()
            #expect(lost.map(\.message) == [exchange.answer] && lost.first?.host == "host-b:8080")
            let answer = try #require(try fixture.store.message(exchange.answer))
            #expect(answer.status == .interrupted && answer.content == "Granite is quarried")
            #expect(try fixture.store.message(own.answer)?.status == .streaming)
            let sent = fixture.broadcaster.envelopes(to: ChatStreams.thread(exchange.thread.id, session: "s9"))
            #expect(sent.count == 1)
            #expect(sent.first?.action == .replace && sent.first?.target == .id(Wire.ElementID.message(exchange.answer)))
            #expect(sent.first?.html.contains("Granite is quarried") == true)
            #expect(sent.first?.html.contains("\(Wire.Attribute.retry)=\"\(exchange.answer)\"") == true)
            #expect(fixture.log.lines(startingWith: "answers of a host that stopped were interrupted").count == 1)
            // Once taken, it is not taken again.
            #expect(try fixture.service.keepLeases().isEmpty)
        }
    }
}

/// Answers in progress kept in memory, as Redis keeps them for several hosts (Relay's RedisAnswers).
final class MemoryAnswers: SharedAnswers, @unchecked Sendable {
    let answers = Locked<[Int64: SharedAnswer]>([:])
    let writes = Locked(0)
    func record(_ id: Int64, _ answer: SharedAnswer, previous: SharedAnswer?) {
        writes.withLock { $0 += 1 }
        answers.withLock { $0[id] = answer }
    }
    func answer(_ id: Int64) -> SharedAnswer? { answers.withLock { $0[id] } }
    func remove(_ id: Int64) { answers.withLock { _ = $0.removeValue(forKey: id) } }
}

@Suite struct OtherHostAnswerTests {
    @Test func aSnapshotOnAnotherHostShowsAnAnswerInProgressAsItsHostSentIt() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let shared = MemoryAnswers()
            let a = try ChatFixture(folder: folder, model: false, sharedAnswers: shared)
            let b = try ChatFixture(folder: folder, model: false, sharedAnswers: shared)
            let exchange = try #require(try a.store.startExchange(session: "s1", thread: nil, title: "t", question: "Granite?"))
            let stream = ChatStreams.thread(exchange.thread.id, session: "s1")
            a.service.live.start(exchange.answer, thread: exchange.thread.id)
            a.service.live.update(exchange.answer) { answer in
                answer.thinking.steps = ["Searching knowledge base…"]
                answer.thinking.reasoning = "Stone first."
                answer.blocks = ["<p>Granite is quarried</p>\n"]
            }
            // Unchanged: nothing is written again.
            a.service.live.update(exchange.answer) { _ in }
            #expect(shared.writes.current == 2)
            let html = try #require(b.service.snapshot(of: stream).first?.html)
            #expect(html.contains("<p>Granite is quarried</p>") && html.contains("Searching knowledge base…")
                    && html.contains("Stone first."))
            #expect(b.service.live[exchange.answer] == nil, "B's own pages do not have it")
            // Ended: read from the database from now on.
            a.service.live.end(exchange.answer)
            #expect(shared.answer(exchange.answer) == nil)
            #expect(b.service.snapshot(of: stream).first?.html.contains("Granite is quarried") == false)
        }
    }
}
