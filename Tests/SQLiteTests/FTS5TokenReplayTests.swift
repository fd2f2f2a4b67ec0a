import SQLite
import Testing

/// Tokens computed ahead by an `FTS5Tokenizer` and replayed by the connection build the very index FTS5's own
/// tokenizer builds, and anything not armed, or armed for other text, is tokenized as before.
@Suite struct FTS5TokenReplayTests {
    static let schema = """
        CREATE VIRTUAL TABLE passages USING fts5(
            title, headings, body, content = '', tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """
    static let arguments = ["unicode61", "remove_diacritics", "2"]

    /// Rows with what the tokenizers treat specially: stems, case, diacritics, non-Latin scripts, digits, an empty
    /// column, and a word longer than the porter tokenizer stems.
    static let rows: [[String]] = [
        ["Running the quarry", "Safety › Blasting", "Blasting is announced; workers are running to the shelters."],
        ["Café notes", "", "Crème brûlée, naïve façade, Ærøskøbing and ŒUVRES: diacritics are removed."],
        ["Ünïcödé", "Приложение › 付録", "Москва and 東京 and Αθήνα are tokenized by unicode61 too."],
        ["Numbers", "v2.3", "Version 3.40.1 of SQLite ships FTS5; 12,360 chunks in 0.25 s."],
        ["Long words", "x", String(repeating: "antidisestablishmentarianism", count: 4) + " generalizations"],
    ]

    /// Every shadow table's rows, in order, as text: equal means the same index, byte for byte.
    func index(_ db: Connection) throws -> [String] {
        var out: [String] = []
        for table in ["passages_data", "passages_idx", "passages_docsize", "passages_config"] {
            for row in try db.query("SELECT * FROM \(table) ORDER BY 1, 2") {
                out.append("\(table): " + (0..<row.count).map { "\(row[$0])" }.joined(separator: "|"))
            }
        }
        return out
    }

    /// A connection with the table, replaying if `replay`.
    func open(replay: Bool) throws -> Connection {
        let db = try Connection(.memory)
        if replay { try db.replayTokens(of: "porter") }
        try db.execute(Self.schema)
        return db
    }

    func insert(_ db: Connection, _ rowid: Int, _ texts: [String], tokens: FTS5Tokens? = nil) throws {
        let statement = try db.prepare("INSERT INTO passages (rowid, title, headings, body) VALUES (?, ?, ?, ?)")
        try statement.bind([rowid, texts[0], texts[1], texts[2]])
        if let tokens {
            try db.replaying(tokens) { () throws(SQLiteError) in try statement.run() }
        } else {
            try statement.run()
        }
    }

    @Test func replayedTokensBuildTheSameIndex() throws {
        let plain = try open(replay: false)
        let replaying = try open(replay: true)
        let tokenizer = try replaying.tokenizer("porter", arguments: Self.arguments)
        for (rowid, texts) in Self.rows.enumerated() {
            try insert(plain, rowid + 1, texts)
            try insert(replaying, rowid + 1, texts, tokens: try #require(tokenizer.tokens(texts)))
        }
        #expect(replaying.tokenReplayCounts == (Self.rows.count * 3, 0))
        #expect(try index(replaying) == index(plain))
        #expect(try !index(plain).isEmpty)
    }

    @Test func queriesAndDeletesGoToTheRealTokenizer() throws {
        let plain = try open(replay: false)
        let replaying = try open(replay: true)
        let tokenizer = try replaying.tokenizer("porter", arguments: Self.arguments)
        for (rowid, texts) in Self.rows.enumerated() {
            try insert(plain, rowid + 1, texts)
            try insert(replaying, rowid + 1, texts, tokens: try #require(tokenizer.tokens(texts)))
        }
        // A contentless table's rows are deleted with their original values, which FTS5 tokenizes as a document.
        for db in [plain, replaying] {
            try db.run("INSERT INTO passages (passages, rowid, title, headings, body) VALUES ('delete', ?, ?, ?, ?)",
                       2, Self.rows[1][0], Self.rows[1][1], Self.rows[1][2])
        }
        #expect(try index(replaying) == index(plain))
        let queries = ["run", "creme", "brulee", "москва", "東京", "announce*", "\"shelters\"", "cafe"]
        for query in queries {
            let sql = "SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY rowid"
            #expect(try replaying.query(sql, query) == plain.query(sql, query), "\(query)")
        }
        #expect(try replaying.query("SELECT rowid FROM passages WHERE passages MATCH 'running'").count == 1)
        #expect(replaying.tokenReplayCounts == (Self.rows.count * 3, 0))
    }

    @Test func armedTokensOfOtherTextFallBackToTheRealTokenizer() throws {
        let plain = try open(replay: false)
        let replaying = try open(replay: true)
        let tokenizer = try replaying.tokenizer("porter", arguments: Self.arguments)
        let texts = Self.rows[0]
        // Tokens of another body (same length, one byte apart), and of another title: those columns are tokenized
        // again; the headings, whose text is the same, are replayed.
        var other = texts
        other[0] = "Walking the quarry"
        other[2] = "Blasting is announced; workers are runnink to the shelters."
        let tokens = try #require(tokenizer.tokens(other))
        try insert(plain, 1, texts)
        try insert(replaying, 1, texts, tokens: tokens)
        #expect(replaying.tokenReplayCounts == (1, 2))
        #expect(try index(replaying) == index(plain))
    }

    @Test func withoutReplayTheTokensAreIgnored() throws {
        let plain = try open(replay: false)
        let other = try open(replay: false)
        let tokenizer = try other.tokenizer("porter", arguments: Self.arguments)
        for (rowid, texts) in Self.rows.enumerated() {
            try insert(plain, rowid + 1, texts)
            try insert(other, rowid + 1, texts, tokens: try #require(tokenizer.tokens(texts)))
        }
        #expect(other.tokenReplayCounts == (0, 0))
        #expect(try index(other) == index(plain))
    }
}
