import SQLite
@testable import Store
import TestSupport
import Testing

/// Migrations run on start, from an empty file and from every earlier version, and keep what was there.
@Suite struct MigrationHistoryTests {
    @Test(arguments: 0..<Store.migrations.count)
    func fromEachEarlierVersionToTheLatest(version: Int) throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/q.db"
            // A database as an older Quarry left it: the first `version` migrations, with a setting in it.
            let old = try Connection(path: path)
            _ = try Migrator(Array(Store.migrations.prefix(version))).migrate(old)
            if version >= 1 { try old.run("INSERT INTO settings(key, value) VALUES ('kept', x'01')") }
            let store = try Store(path: path)
            if version >= 1 { #expect(try store.setting("kept") == [1]) }
            let latest = try Connection(path: path)
            #expect(try Store.migrator.appliedVersion(in: latest) == Store.migrations.count)
            let tables = Set(try latest.query("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").compactMap { $0[0].string })
            for table in ["settings", "sessions", "threads", "messages", "documents", "chunks", "chunks_fts",
                          "message_sources", "jobs"] {
                #expect(tables.contains(table), "\(table)")
            }
            #expect(try latest.query("PRAGMA journal_mode").first?[0].string == "wal")
            #expect(try latest.query("PRAGMA foreign_keys").first?[0].int == 1)
            #expect(try latest.query("PRAGMA integrity_check").first?[0].string == "ok")
        }
    }

    @Test func aDocumentAndItsIndexGoTogether() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            try store.replaceDocument(path: "/d/a.md", title: "Granite", contentHash: "h1", size: 10, modifiedAt: 1,
                                      chunks: [NewChunk(ordinal: 0, headingPath: ["Quarrying"], text: "Granite is cut in blocks."),
                                               NewChunk(ordinal: 1, headingPath: [], text: "Marble is softer.")])
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["granite"]), weights: (4, 2, 1), limit: 8).count == 2,
                    "the title is indexed with every chunk")
            try store.replaceDocument(path: "/d/a.md", title: "Slate", contentHash: "h2", size: 10, modifiedAt: 2,
                                      chunks: [NewChunk(ordinal: 0, headingPath: [], text: "Slate splits.")])
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["granite"]), weights: (4, 2, 1), limit: 8).isEmpty,
                    "replacing a document removes its old index entries")
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["slate"]), weights: (4, 2, 1), limit: 8).count == 1)
            try store.removeDocument(path: "/d/a.md")
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["slate"]), weights: (4, 2, 1), limit: 8).isEmpty)
            #expect(try store.knowledgeBaseCounts().chunks == 0)
        }
    }

    @Test func embeddingsRoundTripAndArePending() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            try store.replaceDocument(path: "/a", title: "T", contentHash: "h", size: 1, modifiedAt: 1,
                                      chunks: (0..<3).map { NewChunk(ordinal: $0, headingPath: [], text: "chunk \($0)") })
            let pending = try store.chunksNeedingEmbeddings(model: "m", limit: 10)
            #expect(pending.count == 3)
            try store.setEmbeddings(pending.map { ($0.id, [1, 2.5, -3]) }, model: "m")
            #expect(try store.chunksNeedingEmbeddings(model: "m", limit: 10).isEmpty)
            #expect(try store.chunksNeedingEmbeddings(model: "other", limit: 10).count == 3, "a new model re-embeds")
            let loaded = try store.embeddings(model: "m")
            #expect(loaded.dimension == 3 && loaded.ids.count == 3 && Array(loaded.vectors.prefix(3)) == [1, 2.5, -3])
            #expect(try store.knowledgeBaseCounts(embeddingModel: "m").embedded == 3)
            #expect(try store.knowledgeBaseCounts(embeddingModel: "other").embedded == 0)
        }
    }

    /// Chunks waiting for an embedding (all of them, until a model is set) are not in the index by model, which
    /// still finds a model's chunks.
    @Test func theIndexByModelHoldsOnlyEmbeddedChunks() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            try store.replaceDocument(path: "/a", title: "T", contentHash: "h", size: 1, modifiedAt: 1,
                                      chunks: (0..<5).map { NewChunk(ordinal: $0, headingPath: [], text: "chunk \($0)") })
            try store.setEmbeddings(try store.chunksNeedingEmbeddings(model: "m", limit: 2).map { ($0.id, [1]) }, model: "m")
            let db = try Connection(path: folder + "/q.db")
            let indexed = "SELECT count(*) FROM chunks INDEXED BY chunks_by_embedding_model WHERE embedding_model IS NOT NULL"
            #expect(try db.query(indexed).first?[0].int == 2)
            #expect(try db.query("SELECT count(*) FROM chunks WHERE embedding_model IS NULL").first?[0].int == 3)
            // An index holding the NULLs could also serve this; a partial one cannot.
            #expect(throws: SQLiteError.self) {
                try db.query("SELECT count(*) FROM chunks INDEXED BY chunks_by_embedding_model WHERE embedding_model IS NULL")
            }
            let plan = try db.query("EXPLAIN QUERY PLAN SELECT id, embedding FROM chunks WHERE embedding_model = ? ORDER BY id", "m")
            #expect(plan.contains { $0[3].string?.contains("chunks_by_embedding_model") == true })
            #expect(try store.embeddings(model: "m").ids.count == 2)
        }
    }
}
