// KnowledgeStorage's requirements, each test run on SQLite (`Store`) and PostgreSQL (`PostgresStore`): documents
// and their chunks in batches that are all or nothing, the generation, counts, embeddings, and search by BM25 with
// the column weights mattering and every query word read as data.
import Locking
import Postgres
import Store
import Testing
import TestSupport

/// A document change with the usual filler.
func replace(_ path: String, title: String, chunks: [NewChunk]) -> DocumentChange {
    .replace(path: path, title: title, contentHash: "hash-\(path)", size: 10, modifiedAt: 1, chunks: chunks)
}

func chunk(_ ordinal: Int, _ headings: [String], _ text: String, pages: ClosedRange<Int>? = nil) -> NewChunk {
    NewChunk(ordinal: ordinal, headingPath: headings, text: text, pages: pages)
}

@Suite struct KnowledgeStorageTests {
    /// Three documents of equal length, "granite" once in each: in the title, in a heading, in the body.
    func stoneDocuments() -> [DocumentChange] {
        [
            replace("/title", title: "Granite quarry", chunks: [chunk(0, ["Stone work"], "cutting shaping lifting moving stacking")]),
            replace("/heading", title: "Stone quarry", chunks: [chunk(0, ["Granite work"], "cutting shaping lifting moving stacking")]),
            replace("/body", title: "Stone quarry", chunks: [chunk(0, ["Stone work"], "cutting shaping granite moving stacking")]),
            replace("/other", title: "Slate roofs", chunks: [chunk(0, ["Roof work"], "nailing tiles on battens every morning")]),
        ]
    }

    func paths(_ storage: any KnowledgeStorage, _ found: [(id: Int64, score: Double)]) throws -> [String] {
        try storage.chunks(ids: found.map(\.id)).map(\.documentPath)
    }

    @Test(arguments: Backend.available)
    func searchFindsTitleHeadingsAndBodyAndTheWeightsOrderThem(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply(stoneDocuments())
            let query = ChunkQuery(anyOf: ["granite"])
            let titleFirst = try storage.searchChunks(matching: query, weights: (4, 2, 1), limit: 10)
            #expect(try paths(storage, titleFirst) == ["/title", "/heading", "/body"])
            #expect(titleFirst.allSatisfy { $0.score < 0 }, "BM25 as FTS5 reports it: negative, lower is better")
            #expect(zip(titleFirst, titleFirst.dropFirst()).allSatisfy { $0.score < $1.score })
            let bodyFirst = try storage.searchChunks(matching: query, weights: (1, 2, 4), limit: 10)
            #expect(try paths(storage, bodyFirst) == ["/body", "/heading", "/title"])
            #expect(try storage.searchChunks(matching: query, weights: (4, 2, 1), limit: 2).count == 2, "at most limit")
            // A word in another form finds the same chunks: the index stems ("granites" → "granit").
            #expect(try storage.searchChunks(matching: ChunkQuery(anyOf: ["granites"]), weights: (4, 2, 1), limit: 10).count == 3)
            #expect(try storage.searchChunks(matching: ChunkQuery(anyOf: []), weights: (4, 2, 1), limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func rareWordsAndedWithCommonOnes(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply(stoneDocuments())
            // "granite" OR "slate": four chunks; AND ("lifting"): the two with lifting.
            let any = try storage.searchChunks(matching: ChunkQuery(anyOf: ["granite", "slate"]), weights: (4, 2, 1), limit: 10)
            #expect(Set(try paths(storage, any)) == ["/title", "/heading", "/body", "/other"])
            let both = try storage.searchChunks(matching: ChunkQuery(anyOf: ["granite", "slate"], andAnyOf: ["lifting", "nowhere"]),
                                                weights: (4, 2, 1), limit: 10)
            #expect(try paths(storage, both) == ["/title", "/heading"])
            let none = try storage.searchChunks(matching: ChunkQuery(anyOf: ["slate"], andAnyOf: ["lifting"]), weights: (4, 2, 1), limit: 10)
            #expect(none.isEmpty)
        }
    }

    /// The same data scores the same on both: BM25 with FTS5's constants, lengths and idf.
    @Test(.enabled(if: TestPostgres.isAvailable, "PostgreSQL's server binaries are not installed here"))
    func bothStoragesGiveTheSameScores() throws {
        let query = ChunkQuery(anyOf: ["granite", "slate"], andAnyOf: ["work", "moving"])
        // A document added, replaced and removed on the way: the chunks' number and lengths must follow.
        func scores(_ storage: any KnowledgeStorage) throws -> [Double] {
            try storage.apply([replace("/gone", title: "Granite", chunks: [chunk(0, [], "a short one")])] + stoneDocuments())
            try storage.apply([replace("/gone", title: "Granite", chunks: [chunk(0, [], "a much longer granite text"), chunk(1, [], "x")])])
            try storage.removeDocument(path: "/gone")
            return try storage.searchChunks(matching: query, weights: (4, 2, 1), limit: 10).map(\.score)
        }
        let sqlite = try withStorage(.sqlite, scores)
        let postgres = try withStorage(.postgresql, scores)
        #expect(sqlite.count == 4 && postgres.count == sqlite.count)
        for (a, b) in zip(sqlite, postgres) { #expect(abs(a - b) < 1e-9, "\(sqlite) \(postgres)") }
    }

    @Test(arguments: Backend.available)
    func aBatchIsAllOrNothing(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply([replace("/kept", title: "Kept", chunks: [chunk(0, [], "basalt columns")])])
            let generation = try storage.knowledgeGeneration()
            // The second document repeats an ordinal: the batch fails, and the first document and the removal with it.
            let failing: [DocumentChange] = [
                replace("/new", title: "New", chunks: [chunk(0, [], "granite blocks")]),
                .remove(path: "/kept"),
                replace("/broken", title: "Broken", chunks: [chunk(0, [], "marble"), chunk(0, [], "marble again")]),
            ]
            #expect(throws: StoreError.self) { try storage.apply(failing) }
            #expect(Set(try storage.documents().keys) == ["/kept"])
            #expect(try storage.knowledgeGeneration() == generation)
            #expect(try storage.searchChunks(matching: ChunkQuery(anyOf: ["granite"]), weights: (4, 2, 1), limit: 8).isEmpty)
            #expect(try storage.searchChunks(matching: ChunkQuery(anyOf: ["basalt"]), weights: (4, 2, 1), limit: 8).count == 1)
            #expect(try storage.knowledgeBaseCounts().chunks == 1)
            // The storage is usable after the rollback.
            try storage.apply([replace("/new", title: "New", chunks: [chunk(0, [], "granite blocks")])])
            #expect(try storage.knowledgeBaseCounts().documents == 2)
        }
    }

    @Test(arguments: Backend.available)
    func replacingAndRemovingTakeTheOldChunksAndTheirIndexEntries(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply(stoneDocuments())
            let old = try storage.searchChunks(matching: ChunkQuery(anyOf: ["slate"]), weights: (4, 2, 1), limit: 8).map(\.id)
            try storage.apply([replace("/other", title: "Marble floors", chunks: [chunk(0, [], "polishing")])])
            #expect(try storage.searchChunks(matching: ChunkQuery(anyOf: ["slate"]), weights: (4, 2, 1), limit: 8).isEmpty)
            // SQLite may give a new chunk an old chunk's id: what matters is that the old text is gone.
            #expect(try storage.chunks(ids: old).allSatisfy { !$0.text.contains("battens") })
            #expect(try storage.documentFrequencies(of: ["slate", "marble"]) == ["slate": 0, "marble": 1])
            try storage.removeDocument(path: "/title")
            try storage.removeDocument(path: "/nowhere")
            #expect(try storage.documents()["/title"] == nil)
            #expect(try paths(storage, storage.searchChunks(matching: ChunkQuery(anyOf: ["granite"]), weights: (4, 2, 1), limit: 8))
                == ["/heading", "/body"])
            #expect(try storage.documentFrequencies(of: ["granite", "quarry"]) == ["granite": 2, "quarry": 2])
        }
    }

    @Test(arguments: Backend.available)
    func theGenerationChangesWithTheKnowledgeOnly(backend: Backend) throws {
        try withStorage(backend) { storage in
            var last = try storage.knowledgeGeneration()
            func changed() throws -> Bool {
                let now = try storage.knowledgeGeneration()
                defer { last = now }
                return now != last
            }
            try storage.apply([])
            #expect(try !changed(), "an empty batch")
            try storage.apply([replace("/a", title: "A", chunks: [chunk(0, [], "granite")])])
            #expect(try changed(), "a replaced document")
            try storage.apply([.touch(path: "/a", modifiedAt: 99)])
            #expect(try !changed(), "a touched document")
            #expect(try storage.documents()["/a"]?.modifiedAt == 99)
            try storage.apply([.failure(path: "/b", title: "B", contentHash: "h", size: 1, modifiedAt: 1, reason: "unreadable")])
            #expect(try changed(), "a failure recorded")
            let id = try #require(storage.chunksNeedingEmbeddings(model: "m", limit: 10).first?.id)
            try storage.setEmbeddings([(id, [1, 2])], model: "m")
            #expect(try changed(), "embeddings")
            _ = try storage.searchChunks(matching: ChunkQuery(anyOf: ["granite"]), weights: (4, 2, 1), limit: 8)
            _ = try storage.documents()
            #expect(try !changed(), "reads")
            try storage.removeDocument(path: "/a")
            #expect(try changed(), "a removed document")
        }
    }

    @Test(arguments: Backend.available)
    func countsLeaveOutFailuresAndCountEmbeddingsPerModel(backend: Backend) throws {
        try withStorage(backend) { storage in
            #expect(try storage.knowledgeBaseCounts() == (0, 0, 0))
            try storage.apply(stoneDocuments() + [
                .failure(path: "/bad", title: "Bad", contentHash: "h", size: 1, modifiedAt: 1, reason: "not a PDF"),
            ])
            #expect(try storage.knowledgeBaseCounts() == (4, 4, 0))
            #expect(try storage.documents()["/bad"]?.failure == "not a PDF")
            let ids = try storage.chunksNeedingEmbeddings(model: "m", limit: 10).map(\.id)
            try storage.setEmbeddings([(ids[0], [0.5]), (ids[1], [0.25])], model: "m")
            #expect(try storage.knowledgeBaseCounts(embeddingModel: "m") == (4, 4, 2))
            #expect(try storage.knowledgeBaseCounts(embeddingModel: "other") == (4, 4, 0))
            #expect(try storage.knowledgeBaseCounts(embeddingModel: nil) == (4, 4, 0))
        }
    }

    @Test(arguments: Backend.available)
    func embeddingsRoundTripBitForBit(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply(stoneDocuments())
            let waiting = try storage.chunksNeedingEmbeddings(model: "m", limit: 10)
            #expect(waiting.map(\.id) == waiting.map(\.id).sorted(), "oldest first")
            #expect(waiting.count == 4)
            #expect(waiting.first?.text == "Granite quarry\nStone work\ncutting shaping lifting moving stacking")
            let vectors: [[Float]] = [[1.5, -2.25, .leastNonzeroMagnitude], [-0.0, .greatestFiniteMagnitude, 3]]
            try storage.setEmbeddings([(waiting[2].id, vectors[1]), (waiting[0].id, vectors[0])], model: "m")
            let stored = try storage.embeddings(model: "m")
            #expect(stored.ids == [waiting[0].id, waiting[2].id] && stored.dimension == 3)
            #expect(stored.vectors.map(\.bitPattern) == (vectors[0] + vectors[1]).map(\.bitPattern))
            #expect(try storage.chunksNeedingEmbeddings(model: "m", limit: 10).map(\.id) == [waiting[1].id, waiting[3].id])
            #expect(try storage.chunksNeedingEmbeddings(model: "m", limit: 1).count == 1)
            #expect(try storage.chunksNeedingEmbeddings(model: "n", limit: 10).count == 4, "another model's count as none")
            #expect(try storage.embeddings(model: "n").ids.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func chunksComeInTheOrderAskedWithoutMissingIDs(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply([replace("/book.pdf", title: "Book", chunks: [
                chunk(0, ["Part", "Chapter"], "first", pages: 3...4), chunk(1, [], "second"), chunk(2, ["Part"], "third", pages: 7...7),
            ])])
            let ids = try storage.chunksNeedingEmbeddings(model: "m", limit: 10).map(\.id)
            let found = try storage.chunks(ids: [ids[2], 999_999, ids[0]])
            #expect(found.map(\.text) == ["third", "first"])
            #expect(found.map(\.headingPath) == [["Part"], ["Part", "Chapter"]])
            #expect(found.map(\.pages) == [7...7, 3...4])
            #expect(found.allSatisfy { $0.documentPath == "/book.pdf" && $0.documentTitle == "Book" })
            #expect(try storage.chunks(ids: [ids[1]]).first?.pages == nil)
            #expect(try storage.chunks(ids: []).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func documentFrequenciesAreOfTheStemmedAndFoldedWord(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply(stoneDocuments() + [
                replace("/cafe", title: "Café", chunks: [chunk(0, [], "Crème brûlée at the café"), chunk(1, [], "quarries—quarry’s edge")]),
            ])
            // Each chunk holds its document's title: both of the café's chunks hold "cafe". Punctuation outside ASCII
            // separates words too ("quarries—quarry’s edge" is four).
            let counts = try storage.documentFrequencies(of: ["granite", "granites", "quarry", "cafe", "café", "creme", "edge", "absent"])
            #expect(counts == ["granite": 3, "granites": 3, "quarry": 4, "cafe": 2, "café": 2, "creme": 1, "edge": 1, "absent": 0])
            #expect(try storage.documentFrequencies(of: []).isEmpty)
        }
    }

    /// Quotes, backslashes, operators and SQL in a word are data: they find what their letters spell, or nothing,
    /// and never fail or reach the database as syntax.
    @Test(arguments: Backend.available)
    func hostileWordsAreDataNotSyntax(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.apply(stoneDocuments())
            let spellingGranite = ["granite\"", "\"granite", "granite\\", "granite'", "(granite)", "granite*", "{granite}",
                                   "granite\"}", "-granite", "granite:"]
            for word in spellingGranite {
                let found = try storage.searchChunks(matching: ChunkQuery(anyOf: [word]), weights: (4, 2, 1), limit: 8)
                #expect(found.count == 3, "\(word)")
                #expect(try storage.documentFrequencies(of: [word]) == [word: 3], "\(word)")
            }
            let nothing = ["\"", "\\", "'", "\"\"", "*", "NEAR(granite slate)", "granite\" OR \"slate", "'; DROP TABLE chunks; --",
                           "\"); DELETE FROM documents; --", "{\"a\",\"b\"}", "\\\"", "$1", "a'b\\'c", "\0granite", ""]
            for word in nothing {
                let found = try storage.searchChunks(matching: ChunkQuery(anyOf: [word], andAnyOf: [word]), weights: (4, 2, 1), limit: 8)
                #expect(found.isEmpty || word.contains("granite") && !word.contains("slate"), "\(word)")
                _ = try storage.documentFrequencies(of: [word])
            }
            #expect(try storage.knowledgeBaseCounts() == (4, 4, 0))
            #expect(try storage.documents().count == 4)
        }
    }
}

/// The knowledge-base parts of AdminStorage, on both (PostgresStore does not declare AdminStorage yet: its accounts
/// and unanswered questions are another file's).
@Suite struct DocumentOverviewTests {
    func withOverview(_ backend: Backend,
                      _ body: (any KnowledgeStorage, () throws -> [DocumentOverview], (String) throws -> Bool) throws -> Void) throws {
        try withStorage(backend) { storage in
            switch storage {
            case let store as Store: try body(store, store.documentOverview, store.readAgain)
            case let store as PostgresStore: try body(store, store.documentOverview, store.readAgain)
            default: Issue.record("unknown storage")
            }
        }
    }

    @Test(arguments: Backend.available)
    func theOverviewListsDocumentsByTitleInAnyCaseWithPassagesAndPages(backend: Backend) throws {
        try withOverview(backend) { storage, overview, _ in
            try storage.apply([
                replace("/b.pdf", title: "beta", chunks: [chunk(0, [], "one", pages: 1...2), chunk(1, [], "two", pages: 3...5)]),
                replace("/a", title: "Alpha", chunks: [chunk(0, [], "one")]),
                replace("/c2", title: "Gamma", chunks: []),
                replace("/c1", title: "Gamma", chunks: []),
                .failure(path: "/z", title: "_broken", contentHash: "h", size: 3, modifiedAt: 1, reason: "not a PDF"),
            ])
            let rows = try overview()
            #expect(rows.map(\.path) == ["/z", "/a", "/b.pdf", "/c1", "/c2"], "ASCII order, case folded: _ before letters")
            #expect(rows.map(\.passages) == [0, 1, 2, 0, 0])
            #expect(rows.map(\.pages) == [nil, nil, 5, nil, nil])
            #expect(rows.first?.failure == "not a PDF" && rows.first?.size == 3)
        }
    }

    @Test(arguments: Backend.available)
    func readingAgainForgetsTheHashAndTime(backend: Backend) throws {
        try withOverview(backend) { storage, _, readAgain in
            try storage.apply([replace("/a", title: "A", chunks: [chunk(0, [], "granite")])])
            let generation = try storage.knowledgeGeneration()
            #expect(try readAgain("/a"))
            #expect(try !readAgain("/nowhere"))
            let document = try #require(try storage.documents()["/a"])
            #expect(document.contentHash == "" && document.modifiedAt == 0)
            #expect(try storage.knowledgeGeneration() == generation, "the chunks are unchanged until read again")
        }
    }
}

/// Several hosts writing one PostgreSQL knowledge base at once.
@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL's server binaries are not installed here"))
struct KnowledgeStorageHostsTests {
    @Test func hostsReplacingTheSameDocumentTakeTurns() throws {
        let url = try TestPostgres.shared().createDatabase()
        let hosts = try (0..<3).map { _ in try PostgresStore(PostgresConfiguration(url: url)) }
        let failures = Locked<[String]>([])
        let threads = hosts.enumerated().compactMap { index, host in
            spawnThread {
                for round in 0..<10 {
                    do {
                        try host.apply([replace("/same", title: "Host \(index)", chunks: [
                            chunk(0, [], "granite round \(round)"), chunk(1, [], "slate"),
                        ])])
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        threads.forEach { $0.join() }
        #expect(failures.current.isEmpty)
        let storage = hosts[0]
        #expect(try storage.knowledgeBaseCounts() == (1, 2, 0))
        #expect(try storage.knowledgeGeneration() == 30)
        #expect(try storage.documentFrequencies(of: ["granite", "slate", "host"]) == ["granite": 1, "slate": 1, "host": 2])
    }
}
