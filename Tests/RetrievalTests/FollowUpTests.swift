// Follow-up questions searched with their conversation: the earlier questions' words join the search at a lower
// weight, so "how do I cancel it?" after a question about the kiln finds the kiln's page.
@testable import Retrieval
import Store
import TestSupport
import Testing

@Suite struct FollowUpTests {
    func makeStore(_ folder: String) throws -> Store {
        let store = try Store(path: folder + "/q.db")
        func doc(_ path: String, _ title: String, _ text: String) throws {
            try store.replaceDocument(path: path, title: title, contentHash: path, size: 1, modifiedAt: 1,
                                      chunks: [NewChunk(ordinal: 0, headingPath: [], text: text)])
        }
        try doc("/kiln.md", "Kiln firing", "Start a kiln firing from the panel. To cancel a firing, hold Stop for three seconds.")
        try doc("/orders.md", "Orders", "To cancel an order, write to the office before noon.")
        try doc("/bookings.md", "Room bookings", "To cancel a booking, use the booking page.")
        for i in 0..<10 { try doc("/filler\(i).md", "Garden \(i)", "Roses and tulips in bed \(i).") }
        return store
    }

    @Test func aFollowUpFindsThePageOfTheConversation() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let retriever = Retriever(store: try makeStore(folder))
            let alone = try await retriever.search("How do I cancel it?", limit: 3)
            #expect(alone.first?.chunk.documentTitle != "Kiln firing", "alone, any page about cancelling will do")
            let followUp = try await retriever.search("How do I cancel it?", context: ["How do I start a kiln firing?"], limit: 3)
            #expect(followUp.first?.chunk.documentTitle == "Kiln firing")
            #expect(followUp.allSatisfy { (0...100).contains($0.relevance) })
        }
    }

    @Test func aFollowUpOfCommonWordsIsSearchedByTheConversationsWords() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let retriever = Retriever(store: try makeStore(folder))
            let found = try await retriever.search("What about that?", context: ["room bookings"], limit: 3)
            #expect(found.first?.chunk.documentTitle == "Room bookings")
        }
    }

    @Test func theQuestionsOwnWordsStillLead() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let retriever = Retriever(store: try makeStore(folder))
            // A new subject in the same conversation: its own words outweigh the earlier question's.
            let found = try await retriever.search("How do I cancel an order?", context: ["How do I start a kiln firing?"], limit: 3)
            #expect(found.first?.chunk.documentTitle == "Orders")
            let ignored = try await Retriever(store: retriever.store, configuration: RetrievalConfiguration(contextWeight: 0))
                .search("What about that?", context: ["room bookings"], limit: 3)
            #expect(ignored.first?.chunk.documentTitle != "Room bookings", "weight 0 ignores the conversation")
        }
    }

    @Test func blendAddsTheConversationsShareAtItsWeight() {
        let own: [(id: Int64, score: Double)] = [(1, 10), (2, 5)]
        let conversation: [(id: Int64, score: Double)] = [(2, 4), (3, 2)]
        let blended = Retriever.blend(own, conversation, weight: 0.5)
        // 1: 10/10 = 1; 2: 5/10 + 0.5 × 4/4 = 1; 3: 0.5 × 2/4 = 0.25; scaled by the best own score (10).
        #expect(blended.map(\.id) == [1, 2, 3])
        #expect(blended.map(\.score) == [10, 10, 2.5])
        #expect(Retriever.blend([], conversation, weight: 0.5).map(\.id) == [2, 3])
    }
}
