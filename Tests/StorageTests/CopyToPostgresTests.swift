// `quarry migrate`'s core: a single-host SQLite database copied into an empty PostgreSQL database, whole.
import Postgres
import Store
import Testing
import TestSupport

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL's server binaries are not installed here (tools/test installs them)"))
struct CopyToPostgresTests {
    @Test func everythingASQLiteDatabaseHoldsArrivesAndWorks() throws {
        try withTemporaryDirectory { folder in
            let source = try Store(path: folder + "/quarry.db")
            let secret = try source.serverSecret(environment: nil)
            try source.apply([
                .replace(path: "/docs/handbook.pdf", title: "Staff handbook", contentHash: "h1", size: 10, modifiedAt: 7,
                         chunks: [NewChunk(ordinal: 0, headingPath: ["Leave"], text: "Annual leave is 25 days.", pages: 12...12),
                                  NewChunk(ordinal: 1, headingPath: ["Leave", "Sickness"], text: "Report sickness by 9:00.",
                                           pages: 13...14)]),
                .failure(path: "/docs/scan.pdf", title: "scan", contentHash: "h2", size: 5, modifiedAt: 8,
                         reason: "no text layer: a scan? run it through OCR first"),
            ])
            let chunks = try source.readableChunks(document: try #require(source.documents()["/docs/handbook.pdf"]).id,
                                                   from: 0, limit: 10)
            try source.setEmbeddings([(chunks[0].id, [0.5, -1, 2]), (chunks[1].id, [1, 0, 0])], model: "mini")
            let accounts = Accounts(store: source)
            try accounts.add(name: "Ada", password: Array("correct horse battery".utf8), isAdmin: true)
            try source.recordSignIn(session: "browser-1", account: "ada")
            try source.recordSignIn(session: "browser-2", directoryName: "carol", isAdmin: false)
            let done = try #require(try source.startExchange(session: "s", thread: nil, title: "Leave", question: "How much leave?"))
            try source.finishAnswer(message: done.answer, content: "25 days [1].", thinking: "Searching", status: .complete,
                                    model: "llama", error: nil, sources: [
                                        SourceRecord(rank: 1, chunkID: chunks[0].id, documentTitle: "Staff handbook",
                                                     headingPath: "Leave", excerpt: "Annual leave", score: 3, distance: 0.2,
                                                     relevance: 90, pages: 12...12)])
            let cut = try #require(try source.startExchange(session: "s", thread: done.thread.id, title: "", question: "And sickness?"))
            try source.checkpoint(message: cut.answer, content: "Report it", thinking: "")

            let target = try PostgresStore(PostgresConfiguration(url: TestPostgres.shared().createDatabase()))
            var lines: [String] = []
            let summary = try target.copy(from: source) { lines.append($0) }
            #expect(summary.documents == 2 && summary.chunks == 2 && summary.embeddings == 2)
            #expect(summary.conversations == 1 && summary.messages == 4 && summary.accounts == 1 && summary.signIns == 2)
            #expect(!lines.isEmpty)

            // Conversations, with their ids, sources pointing at the same passage, an interrupted answer with Retry.
            #expect(try target.threads(session: "s").map(\.id) == [done.thread.id])
            #expect(try target.messages(thread: done.thread.id) .map(\.content) == ["How much leave?", "25 days [1].",
                                                                                  "And sickness?", "Report it"])
            #expect(try target.message(cut.answer)?.status == .interrupted)
            #expect(try target.restartAnswer(cut.answer, session: "s"))
            let opened = try #require(try target.readableSource(message: done.answer, rank: 1, session: "s"))
            let chunk = try #require(opened.chunk)
            let place = try #require(try target.chunkPlace(id: chunk))
            #expect(try target.readableChunks(document: place.document, from: place.ordinal, limit: 1).first?.text
                        == "Annual leave is 25 days.")
            #expect(try target.sources(message: done.answer).first?.pages == 12...12)
            // The knowledge base, searchable and embedded; the failure kept with its reason.
            #expect(try target.knowledgeBaseCounts(embeddingModel: "mini") == (documents: 1, chunks: 2, embedded: 2))
            #expect(try target.documents()["/docs/scan.pdf"]?.failure?.hasPrefix("no text layer") == true)
            let found = try target.searchChunks(matching: ChunkQuery(anyOf: ["sickness"]), weights: (10, 3, 1), limit: 5)
            #expect(try target.chunks(ids: found.map(\.id)).map(\.text) == ["Report sickness by 9:00."])
            let vectors = try target.embeddings(model: "mini")
            #expect(vectors.dimension == 3 && vectors.vectors.count == 6)
            // Accounts, sign-ins and the signing secret: people stay signed in, cookies stay valid.
            #expect(Accounts(store: target).verify(name: "ada", password: Array("correct horse battery".utf8))?.isAdmin == true)
            #expect(Set(try target.currentSignIns().map(\.session)) == ["browser-1", "browser-2"])
            #expect(try target.serverSecret(environment: nil) == secret)
            // New rows take ids after the copied ones.
            let next = try #require(try target.startExchange(session: "s", thread: nil, title: "new", question: "?"))
            #expect(next.thread.id > done.thread.id && next.question > cut.answer)
            #expect(try Accounts(store: target).add(name: "bob", password: Array("another passphrase".utf8)).id > 1)

            // A database holding conversations is not copied into.
            #expect(throws: StoreError.copyRefused(place: target.configuration.place)) { try target.copy(from: source) }
        }
    }
}
