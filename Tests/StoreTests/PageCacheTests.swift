import TestSupport
import Store
import Testing

/// The writer's page cache stays small between knowledge-base changes: a running server writes new pages all day,
/// and a cache at SQLite's 2 MB kept filling with them for hours (the soak's slope, docs/limits.md).
@Suite struct PageCacheTests {
    /// A little over the writer's 256 KiB: SQLite counts each page's header beside its 8 KiB.
    static let writerCeiling = 320 * 1024

    @Test func writesLeaveTheWritersCacheAtItsSmallCap() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/q.db")
            // 6 MB of new rows, each on pages of its own.
            let value = [UInt8](repeating: 0x61, count: 2048)
            for index in 0..<3000 { try store.setSetting("key-\(index)", value) }
            let cache = store.pageCacheBytes
            #expect(cache.writer > 64 * 1024)
            #expect(cache.writer <= Self.writerCeiling)
        }
    }

    @Test func aBatchOfDocumentsIndexesWithALargerCacheAndGivesItBack() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/q.db")
            // About 4 MB of text in distinct words, so the full-text index grows by several MB.
            var changes: [DocumentChange] = []
            for document in 0..<40 {
                let chunks = (0..<25).map { ordinal in
                    NewChunk(ordinal: ordinal, headingPath: ["Part \(ordinal)"], text: (0..<600).map {
                        "w\(document)x\(ordinal)y\($0)"
                    }.joined(separator: " "))
                }
                changes.append(.replace(path: "doc-\(document).md", title: "Document \(document)",
                                        contentHash: "h\(document)", size: 1, modifiedAt: 1, chunks: chunks))
            }
            try store.apply(changes)
            #expect(store.pageCacheBytes.writer <= Self.writerCeiling)
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["w7x3y5"]), weights: (1, 1, 1), limit: 5).count == 1)
        }
    }
}
