// A follow-up in a thread is searched with the thread's earlier questions.
@testable import Chat
import Store
import TestSupport
import Testing

@Suite struct FollowUpAnswerTests {
    @Test func aFollowUpIsSearchedWithTheThreadsEarlierQuestion() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder, model: false)
            let first = try await f.ask("Which stone polishes well?")
            #expect(try f.store.sources(message: first).first?.excerpt.contains("Marble") == true)
            let thread = try #require(try f.store.message(first)).threadID
            // "Tell me more about it" says nothing alone; after a question about polishing stone, it finds marble.
            let followUp = try await f.ask("Tell me more about it.", thread: thread)
            let sources = try f.store.sources(message: followUp)
            #expect(sources.first?.excerpt.contains("Marble is softer") == true, "\(sources.map(\.excerpt))")
            let elsewhere = try await f.ask("Tell me more about it.")
            #expect(try f.store.message(elsewhere)?.threadID != thread)
            #expect(try f.store.sources(message: elsewhere).allSatisfy { !$0.excerpt.contains("Marble") })
        }
    }
}
