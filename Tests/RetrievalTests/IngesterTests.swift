import Locking
import Retrieval
import SQLite
import Store
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ingestion is idempotent: unchanged files are not written, changed ones replaced, vanished ones removed.
@Suite struct IngesterTests {
    func write(_ path: String, _ text: String) throws { try writeFile(path, Array(text.utf8)) }

    /// Changes to the database made by any connection since `connection` last looked (`PRAGMA data_version`).
    func dataVersion(_ connection: Connection) throws -> Int { try connection.query("PRAGMA data_version").first?[0].int ?? -1 }

    @Test func ingestsOnceThenOnlyWhatChanged() throws {
        try withTemporaryDirectory { folder in
            let docs = folder + "/docs"
            mkdir(docs, 0o755)
            mkdir(docs + "/guide", 0o755)
            try write(docs + "/quarry.md", "# Quarry\n\nGranite blocks are cut with wire saws.\n\n## Safety\n\nWear ear protection near the saws.\n")
            try write(docs + "/guide/notes.txt", "Notes\n\nMarble is softer than granite.\n")
            try write(docs + "/guide/page.html", "<html><head><title>Slate</title></head><body><h1>Slate</h1><p>Slate splits into thin sheets.</p></body></html>")
            try writeFile(docs + "/photo.png", [0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])
            let store = try Store(path: folder + "/q.db")
            let ingester = Ingester(store: store)
            var events: [IngestEvent] = []
            let first = try ingester.ingest([docs]) { events.append($0) }
            #expect(first.added == 3 && first.skipped == 1 && first.chunks >= 3)
            #expect(events.contains { if case .skipped(let path, let reason) = $0 { path.hasSuffix("photo.png") && reason.contains("images are not read") } else { false } })

            let observer = try Connection(path: folder + "/q.db")
            let before = try dataVersion(observer)
            let second = try ingester.ingest([docs])
            #expect(second.unchanged == 3 && second.added == 0 && second.changed == 0 && second.removed == 0)
            #expect(try dataVersion(observer) == before, "nothing was written")

            // A change replaces the document; its old words are gone from the index.
            try write(docs + "/guide/notes.txt", "Notes\n\nBasalt is a volcanic rock and very hard.\n")
            utimes(docs + "/guide/notes.txt", nil)
            let third = try ingester.ingest([docs])
            #expect(third.changed == 1 && third.unchanged == 2)
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["basalt"]), weights: (4, 2, 1), limit: 8).count == 1)
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["marble"]), weights: (4, 2, 1), limit: 8).isEmpty)

            // A deleted file is removed; a file ingested from elsewhere is not touched.
            let outside = folder + "/outside.md"
            try write(outside, "# Outside\n\nGneiss is banded.\n")
            _ = try ingester.ingest([outside])
            unlink(docs + "/quarry.md")
            let fourth = try ingester.ingest([docs])
            #expect(fourth.removed == 1)
            let paths = Set(try store.documents().keys)
            #expect(!paths.contains { $0.hasSuffix("/quarry.md") })
            #expect(paths.contains { $0.hasSuffix("/outside.md") })
        }
    }

    @Test func missingPathsAreReported() throws {
        try withTemporaryDirectory { folder in
            let summary = try Ingester(store: try Store(path: folder + "/q.db")).ingest([folder + "/nope"])
            #expect(summary.missing == [folder + "/nope"])
        }
    }

    @Test func binaryContentWithATextNameIsSkipped() throws {
        try withTemporaryDirectory { folder in
            try writeFile(folder + "/fake.txt", [0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3] + Array(repeating: 0, count: 100))
            var reasons: [String] = []
            let summary = try Ingester(store: try Store(path: folder + "/q.db")).ingest([folder + "/fake.txt"]) {
                if case .skipped(_, let reason) = $0 { reasons.append(reason) }
            }
            #expect(summary.skipped == 1 && summary.added == 0)
            #expect(reasons.first?.contains("binary") == true)
        }
    }

    /// Files read before a slow one are stored (and found) while it converts, not after: the store commits what it
    /// holds once nothing more is waiting (from 256 KB: the 300 and 280 KB files) or once its batch has waited
    /// `batchLimits.interval` (the 2 KB ones). Here the reader stops at a PDF whose converter waits for a file the
    /// test writes. (Batches used to wait for the next change to fill or age, so the PDF held back the second file
    /// of each pair.)
    @Test(arguments: [(300_000, 280_000), (2_000, 2_000)])
    func filesReadBeforeASlowOneAreStoredWhileItConverts(sizes: (Int, Int)) throws {
        try withTemporaryDirectory { folder in
            let docs = folder + "/docs", tools = folder + "/tools", release = folder + "/release"
            mkdir(docs, 0o755)
            mkdir(tools, 0o755)
            let paragraph = "Granite is quarried in blocks and cut with wire saws before it is polished.\n\n"
            try write(docs + "/a.md", "# Granite\n\n" + String(repeating: paragraph, count: sizes.0 / paragraph.utf8.count))
            try write(docs + "/b.md", "# Marble\n\n" + String(repeating: paragraph, count: sizes.1 / paragraph.utf8.count))
            try writeFile(docs + "/c.pdf", Array("%PDF-1.4\n".utf8))
            try write(tools + "/pdftotext", """
                #!/bin/sh
                while [ ! -e '\(release)' ]; do sleep 0.05; done
                printf '<html><head><title>Slate</title></head><body><pre>Slate splits into sheets.\\f</pre></body></html>'

                """)
            chmod(tools + "/pdftotext", 0o755)

            let store = try Store(path: folder + "/q.db")
            let ingester = Ingester(store: store, reader: DocumentReader(pdf: PDFConverter(toolFolder: tools, timeoutSeconds: 60)))
            let stored = Locked<[String]>([])
            let summary = Locked<IngestSummary?>(nil)
            let thread = spawnThread {
                let result = try? ingester.ingest([docs]) { event in
                    if case .ingested(let path, _, _, _) = event { stored.withLock { $0.append(path) } }
                }
                summary.withLock { $0 = result }
            }
            #expect(thread != nil)
            defer { thread?.join() }
            do {
                try waitUntil("both Markdown files stored while the PDF converts", seconds: 30) {
                    stored.withLock { $0.count } == 2
                }
            } catch {
                try write(release, "")
                throw error
            }
            #expect(stored.withLock { $0.allSatisfy { $0.hasSuffix(".md") } })
            #expect(try store.searchChunks(matching: ChunkQuery(anyOf: ["marble"]), weights: (4, 2, 1), limit: 8).count > 0)
            try write(release, "")
            try waitUntil("the ingestion ends", seconds: 30) { summary.withLock { $0 != nil } }
            #expect(summary.withLock { $0?.added } == 3)
            #expect(stored.withLock { $0.last?.hasSuffix("/c.pdf") } == true)
        }
    }
}
