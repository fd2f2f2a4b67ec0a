// A follow-up in a thread is searched with the thread's earlier questions.
@testable import Chat
import JSON
import StandIn
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

    @Test func aFollowUpWithAModelIsSearchedForTheQueryTheModelMakes() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let first = try await f.ask("Which stone is quarried with wire saws?")
            let thread = try #require(try f.store.message(first)).threadID
            // The stand-in gives "marble polish" to both requests: the search query, then the answer.
            let followUp = try await f.ask("Tell me more about it. [standin:answer=bWFyYmxlIHBvbGlzaA]", thread: thread)
            let message = try #require(try f.store.message(followUp))
            #expect(Thinking(stored: message.thinking).steps.contains("Searching for “marble polish”"), "\(message.thinking)")
            #expect(try f.store.sources(message: followUp).first?.excerpt.contains("Marble") == true)
        }
    }

    @Test func theModelIsSentTheQuestionOnceAndTheConversationBeforeIt() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            let first = try await f.ask("Which stone is quarried with wire saws?")
            let thread = try #require(try f.store.message(first)).threadID
            try await f.ask("How is granite polished afterwards?", thread: thread)
            let last = try #require(f.standIn!.requests.last(where: { $0.path.hasSuffix("/chat/completions") })?.json)
            let contents = (last["messages"]?.array ?? []).compactMap { $0["content"]?.string }
            #expect(contents.filter { $0.contains("How is granite polished afterwards?") }.count == 1, "\(contents)")
            #expect(contents.filter { $0 == "Which stone is quarried with wire saws?" }.count == 1, "\(contents)")
        }
    }

    @Test(arguments: [
        ("How do I cancel a kiln firing?", true), ("Which stone polishes well?", true),
        ("And how do I cancel it?", false), ("What about the power supply?", false), ("Why?", false),
        ("Is that safe for children?", false), ("How do I use the other one?", false), ("Tell me more", false),
    ])
    func standsAlone(question: String, expected: Bool) {
        #expect(FollowUp.standsAlone(question) == expected)
    }
}
