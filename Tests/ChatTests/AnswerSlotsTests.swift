@testable import Chat
import Locking
import Testing

/// The slots on their own: who gets a ticket, and in which order waiting answers start.
@Suite struct AnswerSlotsTests {
    typealias Limits = AnswerSlots.Limits

    @Test func aSessionHoldsOneRunningAndOneWaitingAnswer() throws {
        let slots = AnswerSlots(Limits(capacity: 4, waiting: 16, waitingPerSession: 1, perPeer: 8))
        let first = try slots.reserve(session: "a", peer: "p").get()
        let second = try slots.reserve(session: "a", peer: "p").get()
        #expect(slots.reserve(session: "a", peer: "p") == .failure(.session))
        #expect(slots.tryStart(first))
        // Slots are free, but a session never runs two answers at once.
        #expect(!slots.tryStart(second))
        slots.release(first)
        #expect(slots.tryStart(second))
        #expect((try? slots.reserve(session: "a", peer: "p").get()) != nil, "a place came free")
    }

    @Test func anAddressHoldsItsShareOverAllItsSessions() throws {
        let slots = AnswerSlots(Limits(capacity: 4, waiting: 16, waitingPerSession: 1, perPeer: 3))
        for session in ["a", "b", "c"] { _ = try slots.reserve(session: session, peer: "10.0.0.9").get() }
        #expect(slots.reserve(session: "fresh", peer: "10.0.0.9") == .failure(.peer))
        #expect((try? slots.reserve(session: "fresh", peer: "10.0.0.10").get()) != nil)
    }

    @Test func theServerQueueIsBounded() throws {
        let slots = AnswerSlots(Limits(capacity: 2, waiting: 1, waitingPerSession: 1, perPeer: 100))
        for session in ["a", "b", "c"] { _ = try slots.reserve(session: session, peer: session).get() }
        #expect(slots.reserve(session: "d", peer: "d") == .failure(.full))
    }

    /// Capacity 1: a runs; then a's second, b's and c's answers wait, a's first in line. When a's first ends, b and
    /// c go before a's second: a was served last.
    @Test func freeSlotsGoRoundRobinBetweenSessions() async throws {
        let slots = AnswerSlots(Limits(capacity: 1, waiting: 16, waitingPerSession: 2, perPeer: 100))
        let started = Locked<[String]>([])
        let a1 = try slots.reserve(session: "a", peer: "p").get()
        #expect(slots.tryStart(a1))
        var waiting: [Task<Void, Never>] = []
        func wait(_ name: String, _ session: String) throws {
            let ticket = try slots.reserve(session: session, peer: "p").get()
            waiting.append(Task {
                guard await slots.start(ticket) else { return }
                started.withLock { $0.append(name) }
                slots.release(ticket)
            })
        }
        try wait("a2", "a")
        try await until { slots.waitingCount == 1 }
        try wait("b1", "b")
        try await until { slots.waitingCount == 2 }
        try wait("c1", "c")
        try await until { slots.waitingCount == 3 }
        slots.release(a1)
        for task in waiting { await task.value }
        #expect(started.current == ["b1", "c1", "a2"])
    }

    /// Many fresh sessions from one machine run at most half the slots: a person at another machine starts at
    /// once, and the machine's next answer starts when one of its own ends.
    @Test func oneAddressRunsAtMostHalfTheSlots() async throws {
        let slots = AnswerSlots(Limits(capacity: 4, waiting: 16, waitingPerSession: 1, perPeer: 8))
        let busy = try (0..<4).map { try slots.reserve(session: "s\($0)", peer: "10.0.0.9").get() }
        #expect(busy.map(slots.tryStart) == [true, true, false, false])
        let third = Task { await slots.start(busy[2]) }
        try await until { slots.waitingCount == 1 }
        let person = try slots.reserve(session: "person", peer: "10.0.0.10").get()
        #expect(slots.tryStart(person), "a slot was kept free for another machine")
        slots.release(busy[0])
        #expect(await third.value)
        #expect(slots.running == 3)
    }

    @Test func aCancelledWaitGivesUpItsPlaceInLine() async throws {
        let slots = AnswerSlots(Limits(capacity: 1, waiting: 4, waitingPerSession: 1, perPeer: 100))
        let running = try slots.reserve(session: "a", peer: "p").get()
        #expect(slots.tryStart(running))
        let waiting = try slots.reserve(session: "b", peer: "p").get()
        let task = Task { await slots.start(waiting) }
        try await until { slots.waitingCount == 1 }
        task.cancel()
        #expect(await task.value == false)
        slots.release(waiting)
        slots.release(running)
        #expect(slots.running == 0 && slots.waitingCount == 0)
    }

    private func until(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("timed out")
    }
}
