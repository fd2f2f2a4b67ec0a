import Locking
import Retrieval
import Store
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The folder sync of `quarry serve --docs`: picks up changes, and embeds new chunks when an embedder is set.
@Suite struct FolderSyncTests {
    struct CountingEmbedder: Embedder {
        let model = "count"
        let fails: Bool
        func embed(_ texts: [String]) async throws -> [[Float]] {
            if fails { throw EmbedderDown() }
            return texts.map { [Float($0.count), 1] }
        }
    }
    struct EmbedderDown: Error {}

    /// Polls `condition` until it holds (at most 20 s).
    func eventually(_ condition: () throws -> Bool) async rethrows -> Bool {
        for _ in 0..<2_000 {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func picksUpChangesAndEmbedsThem() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let docs = folder + "/docs"
            mkdir(docs, 0o755)
            try writeFile(docs + "/a.md", Array("# Granite\n\nGranite is hard.\n".utf8))
            let store = try Store(path: folder + "/q.db")
            let embedded = Locked(0)
            var reports = FolderSync.Reports()
            reports.embedded = { count in embedded.withLock { $0 += count } }
            let sync = FolderSync(ingester: Ingester(store: store), folder: docs, interval: .milliseconds(20),
                                  embedder: CountingEmbedder(fails: false), reports: reports)
            #expect(try await eventually { try store.knowledgeBaseCounts(embeddingModel: "count").embedded == 1 })
            try writeFile(docs + "/b.md", Array("# Slate\n\nSlate splits.\n".utf8))
            #expect(try await eventually { try store.knowledgeBaseCounts(embeddingModel: "count") == (2, 2, 2) })
            unlink(docs + "/a.md")
            #expect(try await eventually { try store.knowledgeBaseCounts(embeddingModel: "count") == (1, 1, 1) })
            #expect(embedded.current == 2)
            await sync.stop()
        }
    }

    @Test func aFailingEmbedderIsReportedAndTheDocumentsStillArrive() async throws {
        try await withTemporaryDirectoryAsync { folder in
            try writeFile(folder + "/a.md", Array("# Granite\n\nGranite is hard.\n".utf8))
            let store = try Store(path: folder + "/q.db")
            let failures = Locked<[Duration]>([])
            var reports = FolderSync.Reports()
            reports.embeddingFailed = { _, retryIn in failures.withLock { $0.append(retryIn) } }
            let sync = FolderSync(ingester: Ingester(store: store), folder: folder, interval: .milliseconds(20),
                                  embedder: CountingEmbedder(fails: true), reports: reports)
            #expect(await eventually { !failures.current.isEmpty })
            #expect(try store.knowledgeBaseCounts().documents == 1)
            await sync.stop()
            #expect(failures.current == [.seconds(30)], "tried once, then waits 30 s rather than every look")
        }
    }
}
