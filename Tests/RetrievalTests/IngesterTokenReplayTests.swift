@testable import Retrieval
import SQLite
@testable import Store
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Chunks tokenized on the reading thread and replayed by the store give the index that tokenizing while storing
/// gives, byte for byte, through changes and removals, and searches find the same chunks.
@Suite struct IngesterTokenReplayTests {
    /// Real text, Python's documentation sources from python3.11-doc when installed, beside files of our own in the
    /// three text forms (with diacritics and non-Latin scripts).
    func makeFolder(_ docs: String) throws {
        mkdir(docs, 0o755)
        let sources = "/usr/share/doc/python3.11/html/_sources/library"
        for name in ["json.rst.txt", "csv.rst.txt", "sqlite3.rst.txt", "unicodedata.rst.txt", "re.rst.txt"] {
            let bytes = readFile("\(sources)/\(name)")
            guard !bytes.isEmpty else { continue }
            try writeFile("\(docs)/\(name.replacing(".rst.txt", with: ".rst"))", bytes)
        }
        try writeFile(docs + "/café.md", Array("""
            # Café guide

            Crème brûlée and naïve façades; Ærøskøbing's ŒUVRES.

            ## Running orders

            Orders are running late on Fridays; the runners run.
            """.utf8))
        try writeFile(docs + "/notes.txt", Array("Notes\n\nМосква, 東京 and Αθήνα: generalizations of cities.\n".utf8))
    }

    /// Every shadow table of the full-text index, as text.
    func index(_ path: String) throws -> [String] {
        let db = try Connection(path: path)
        var out: [String] = []
        for table in ["chunks_fts_data", "chunks_fts_idx", "chunks_fts_docsize", "chunks_fts_config"] {
            for row in try db.query("SELECT * FROM \(table) ORDER BY 1, 2") {
                out.append("\(table): " + (0..<row.count).map { "\(row[$0])" }.joined(separator: "|"))
            }
        }
        return out
    }

    @Test func replayedTokensGiveTheSameIndexThroughChanges() throws {
        try withTemporaryDirectory { folder in
            let docs = folder + "/docs"
            try makeFolder(docs)
            let replayed = try Store(path: folder + "/replayed.db")
            let plain = try Store(path: folder + "/plain.db")
            let ahead = Ingester(store: replayed)
            var behind = Ingester(store: plain)
            behind.tokenizesAhead = false

            let first = try ahead.ingest([docs])
            _ = try behind.ingest([docs])
            #expect(first.added >= 2 && first.chunks >= 2)
            let counts = replayed.indexTokenReplayCounts
            #expect(counts.replayed == 3 * first.chunks && counts.fellBack == 0)
            #expect(plain.indexTokenReplayCounts == (0, 0))
            #expect(try index(folder + "/replayed.db") == index(folder + "/plain.db"))

            for query in ["\"run\"", "\"creme\"", "\"москва\"", "\"dialect\"", "\"json\" \"decoder\"", "\"cafe\""] {
                let found = try replayed.searchChunks(matching: query, weights: (4, 2, 1), limit: 20).map(\.id)
                #expect(try found == plain.searchChunks(matching: query, weights: (4, 2, 1), limit: 20).map(\.id),
                        "\(query)")
            }
            #expect(try !replayed.searchChunks(matching: "\"creme\"", weights: (4, 2, 1), limit: 8).isEmpty)

            // A changed file is deleted from the index with its old values (tokenized by the real tokenizer) and
            // stored again; a removed one goes.
            try writeFile(docs + "/notes.txt", Array("Notes\n\nBasalt is a volcanic rock; Ørsted measured it.\n".utf8))
            utimes(docs + "/notes.txt", nil)
            unlink(docs + "/café.md")
            let second = try ahead.ingest([docs])
            _ = try behind.ingest([docs])
            #expect(second.changed == 1 && second.removed == 1)
            #expect(try index(folder + "/replayed.db") == index(folder + "/plain.db"))
            #expect(try replayed.searchChunks(matching: "\"volcanic\"", weights: (4, 2, 1), limit: 8).count == 1)
            #expect(try replayed.searchChunks(matching: "\"creme\"", weights: (4, 2, 1), limit: 8).isEmpty)
            #expect(replayed.indexTokenReplayCounts.fellBack == 0)
        }
    }
}
