import Postgres
import Testing
import TestSupport

/// Every kind of value, sent as a parameter and read back, alone and through a table.
@Suite(.enabled(if: TestPostgres.isAvailable, postgresMissing))
struct PostgresValueTests {
    static let megabyte = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    static let values: [PostgresValue] = [
        .null, .integer(0), .integer(-1), .integer(.max), .integer(.min),
        .real(0.1), .real(-1e300), .real(.leastNonzeroMagnitude), .real(.infinity), .real(-.infinity),
        .boolean(true), .boolean(false),
        .text(""), .text("plain"), .text("héllo wörld — 日本語 🚀 \u{1F469}\u{200D}\u{1F4BB}"), .text("quote ' and \\ backslash"),
        .bytes([]), .bytes([0]), .bytes([0, 1, 0, 255, 92, 120]), .bytes(megabyte),
    ]

    @Test func eachValueComesBackAsItWasSent() throws {
        let db = try freshDatabase()
        for value in Self.values {
            let back = try db.query("SELECT $1 AS value", value)
            #expect(back.count == 1 && back[0]["value"] == value, "\(value)")
        }
        let nan = try db.query("SELECT $1", Double.nan)[0][0].double
        #expect(nan?.isNaN == true)
    }

    @Test func eachValueSurvivesATableOfItsType() throws {
        let db = try freshDatabase()
        try db.execute("CREATE TABLE kinds (i int8, d float8, b bool, t text, y bytea)")
        try db.run("INSERT INTO kinds VALUES ($1, $2, $3, $4, $5)", Int64.min, 0.1, true, "日本語", [0, 0, 7] as [UInt8])
        try db.run("INSERT INTO kinds VALUES ($1, $2, $3, $4, $5)", nil, nil, nil, nil, nil)
        try db.run("INSERT INTO kinds (y) VALUES ($1)", Self.megabyte)
        let rows = try db.query("SELECT i, d, b, t, y FROM kinds ORDER BY i NULLS LAST, y NULLS FIRST")
        #expect(rows.map(\.columnNames) == Array(repeating: ["i", "d", "b", "t", "y"], count: 3))
        #expect(rows[0].values == [.integer(.min), .real(0.1), .boolean(true), .text("日本語"), .bytes([0, 0, 7])])
        #expect(rows[1].values == [.null, .null, .null, .null, .null])
        #expect(rows[2]["y"].bytes == Self.megabyte)
        #expect(rows[0]["i"].int64 == .min && rows[0]["d"].double == 0.1 && rows[0]["b"].bool == true)
        #expect(rows[0]["t"].string == "日本語" && rows[1]["t"].isNull)
    }

    /// Smaller integer and float types read as the wider ones; the types this module does not name read as text.
    @Test func otherTypesReadAsTheirNearestCase() throws {
        let db = try freshDatabase()
        let row = try db.query("""
            SELECT 7::int4, 2::int2, 1.5::float4, 'x'::varchar, 12.50::numeric, '2026-12-04'::date, \
            '{"a": 1}'::jsonb, 10::oid
            """)[0]
        #expect(row.values == [.integer(7), .integer(2), .real(1.5), .text("x"), .text("12.50"), .text("2026-12-04"),
                               .text("{\"a\": 1}"), .integer(10)])
    }

    /// Text is sent untyped, so the server reads it as whatever stands there: a date, a jsonb.
    @Test func textBindsToOtherTypes() throws {
        let db = try freshDatabase()
        try db.execute("CREATE TABLE dated (day date, doc jsonb)")
        try db.run("INSERT INTO dated VALUES ($1, $2)", "2026-12-04", "{\"b\": [1, 2]}")
        #expect(try db.query("SELECT day + 1, doc -> 'b' FROM dated")[0].values
            == [.text("2026-12-05"), .text("[1, 2]")])
    }

    @Test func textWithANulCharacterIsRefusedBeforeItIsSent() throws {
        let db = try freshDatabase()
        let error = postgresError { _ = try db.query("SELECT $1", "a\u{0}b") }
        #expect(error?.message == "Text sent to PostgreSQL cannot hold a NUL character")
    }

    @Test func runSaysHowManyRowsChanged() throws {
        let db = try freshDatabase()
        try db.execute("CREATE TABLE counted (n int8); INSERT INTO counted SELECT generate_series(1, 10)")
        #expect(try db.run("UPDATE counted SET n = n + 100 WHERE n > $1", 4) == 6)
        #expect(try db.run("DELETE FROM counted WHERE n < $1", 0) == 0)
        #expect(try db.query("SELECT count(*) FROM counted WHERE n > 100")[0][0] == .integer(6))
    }
}
