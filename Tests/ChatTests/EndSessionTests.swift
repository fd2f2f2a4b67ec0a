// Ending a session (a kiosk's Start over) leaves nothing of it: not even a question that was on its way.
@testable import Chat
import Contracts
import Locking
import Store
import TestSupport
import Testing

@Suite struct EndSessionTests {
    @Test func aQuestionArrivingAfterTheEndLeavesNothing() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            try await f.ask("How are granite blocks cut?", session: "visitor")
            #expect(try f.store.threads(session: "visitor").count == 1)
            await f.service.endSession("visitor")
            #expect(try f.store.threads(session: "visitor").isEmpty)
            // A question of the ended session, sent before its page left (it was on its way): no job, no rows.
            f.service.handle(.ask(thread: nil, content: "And marble?"), from: ChatFixture.client("visitor"))
            try await f.until { f.service.answersInProgress == 0 }
            #expect(try f.store.threads(session: "visitor").isEmpty)
            #expect(f.service.jobs.current.isEmpty)
            // Other sessions are untouched.
            try await f.ask("Which stone polishes well?", session: "next")
            #expect(try f.store.threads(session: "next").count == 1)
        }
    }
}
