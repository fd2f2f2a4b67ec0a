import SQLite
import Testing

/// FTS5 is what Quarry's retrieval ranks with; BM25 needs a few dozen rows before its scores mean anything.
@Suite struct FTS5Tests {
    static let filler = [
        "The committee met on Tuesday to review the annual budget and travel policy.",
        "Printer toner is stored in the supply room next to the kitchen.",
        "Remember to rotate the backup drives every Friday afternoon.",
        "The garden club plants tulips along the north fence each spring.",
        "Our help desk answers questions about laptops, badges and email.",
        "Parking permits are renewed in January at the front office.",
    ]

    @Test func bm25RanksTheRowThatMentionsTheTermsMostFirst() throws {
        let db = try Connection(.memory)
        try db.execute("CREATE VIRTUAL TABLE passages USING fts5(title, body)")
        let insert = try db.prepare("INSERT INTO passages(title, body) VALUES (?, ?)")
        for index in 0..<40 {
            try insert.bind(["Note \(index)", Self.filler[index % Self.filler.count] + " Item \(index)."])
            try insert.run()
        }
        let passages = [
            ("Quarry safety", "Granite quarry rules: wear a helmet in the quarry; granite dust needs masks. "
                + "Quarry blasting is announced."),
            ("Stone", "The lobby floor is polished granite from a local quarry."),
            ("Geology", "Granite is an igneous rock rich in quartz."),
        ]
        for passage in passages {
            try insert.bind([passage.0, passage.1])
            try insert.run()
        }

        let rows = try db.query(
            "SELECT title, bm25(passages) AS score FROM passages WHERE passages MATCH ? ORDER BY score",
            "granite OR quarry")
        #expect(rows.map { $0["title"] } == [.text("Quarry safety"), .text("Stone"), .text("Geology")])
        let scores = rows.compactMap { $0["score"].double }
        #expect(scores.count == 3)
        // bm25() is negated: more relevant is more negative, and none is zero with this many rows.
        #expect(scores == scores.sorted())
        #expect(scores.allSatisfy { $0 < 0 })
        #expect(scores[0] < scores[1] && scores[1] < scores[2])
    }
}
