@testable import Store
import TestSupport
import Testing

/// Pages of chunks and sources (migration 3), and documents that could not be read.
@Suite struct PagesAndFailuresTests {
    @Test(arguments: [
        (nil, nil), (5...5, "p. 5"), (12...13, "pp. 12–13"),
    ] as [(ClosedRange<Int>?, String?)])
    func pageLabels(pages: ClosedRange<Int>?, label: String?) {
        #expect(pageLabel(pages) == label)
    }

    @Test func chunksKeepTheirPages() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            try store.replaceDocument(path: "/d/h.pdf", title: "Staff handbook", contentHash: "h", size: 10, modifiedAt: 1,
                                      chunks: [NewChunk(ordinal: 0, headingPath: ["Leave"], text: "Annual leave is 25 days.",
                                                        pages: 12...12),
                                               NewChunk(ordinal: 1, headingPath: ["Leave"], text: "Carry over five days.",
                                                        pages: 12...13),
                                               NewChunk(ordinal: 2, headingPath: [], text: "No pages here.")])
            let ids = try store.searchChunks(matching: ChunkQuery(anyOf: ["staff"]), weights: (4, 2, 1), limit: 8).map(\.id).sorted()
            let chunks = try store.chunks(ids: ids)
            #expect(chunks.map(\.pages) == [12...12, 12...13, nil])
        }
    }

    @Test func sourcesKeepTheirPages() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            let exchange = try #require(try store.startExchange(session: "s", thread: nil, title: "Leave", question: "How much leave?"))
            let sources = [
                SourceRecord(rank: 1, chunkID: nil, documentTitle: "Staff handbook", headingPath: "Leave", excerpt: "Annual…",
                             score: 1, distance: nil, relevance: 80, pages: 12...13),
                SourceRecord(rank: 2, chunkID: nil, documentTitle: "Notes", headingPath: "", excerpt: "…", score: 0.5,
                             distance: nil, relevance: 40),
            ]
            try store.finishAnswer(message: exchange.answer, content: "25 days.", thinking: "", status: .complete,
                                   model: nil, error: nil, sources: sources)
            #expect(try store.sources(message: exchange.answer) == sources)
        }
    }

    @Test func aFailureIsRecordedUntilTheDocumentIsReadAgain() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            try store.replaceDocument(path: "/d/a.pdf", title: "A", contentHash: "h1", size: 10, modifiedAt: 1,
                                      chunks: [NewChunk(ordinal: 0, headingPath: [], text: "Granite.", pages: 1...1)])
            try store.recordFailure(path: "/d/a.pdf", title: "a", contentHash: "h2", size: 11, modifiedAt: 2,
                                    reason: "no text layer: a scan? run it through OCR first")
            let failed = try #require(try store.documents()["/d/a.pdf"])
            #expect(failed.failure == "no text layer: a scan? run it through OCR first")
            #expect(failed.contentHash == "h2")
            #expect(try store.knowledgeBaseCounts().documents == 0)
            #expect(try store.knowledgeBaseCounts().chunks == 0, "the old chunks went with the failure")
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["granite"]), weights: (4, 2, 1), limit: 8).isEmpty)
            try store.replaceDocument(path: "/d/a.pdf", title: "A", contentHash: "h3", size: 12, modifiedAt: 3,
                                      chunks: [NewChunk(ordinal: 0, headingPath: [], text: "Basalt.", pages: 1...1)])
            #expect(try store.documents()["/d/a.pdf"]?.failure == nil)
            #expect(try store.knowledgeBaseCounts().documents == 1)
        }
    }
}
