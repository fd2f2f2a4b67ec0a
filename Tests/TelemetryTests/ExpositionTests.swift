// The text a scrape of /metrics returns (Prometheus' exposition format 0.0.4): HELP and TYPE lines, label values
// escaped, histograms as cumulative `_bucket{le=…}` lines ending in `+Inf` with `_sum` and `_count`, and gauges set
// at scrape time by their owners' readers. Families come in no fixed order, so lines are checked, not the whole text.

import Testing
@testable import Telemetry

@Suite struct ExpositionTests {
    static func lines(_ registry: MetricsRegistry) -> Set<String> {
        Set(String(decoding: registry.exposition(), as: UTF8.self).split(separator: "\n").map(String.init))
    }

    @Test func counterHasHelpTypeAndValue() {
        let registry = MetricsRegistry()
        let counter = registry.counter("quarry_answers_total", help: "Answers started.")
        counter.increment()
        counter.increment(by: 2)
        let lines = Self.lines(registry)
        #expect(lines.isSuperset(of: [
            "# HELP quarry_answers_total Answers started.",
            "# TYPE quarry_answers_total counter",
            "quarry_answers_total 3",
        ]))
    }

    @Test func sameNameAndLabelsIsTheSameCounter() {
        let registry = MetricsRegistry()
        registry.counter("quarry_refused_total", help: "Refused.", labels: [("limit", "session")]).increment()
        registry.counter("quarry_refused_total", help: "Refused.", labels: [("limit", "session")]).increment()
        registry.counter("quarry_refused_total", help: "Refused.", labels: [("limit", "peer")]).increment()
        let lines = Self.lines(registry)
        #expect(lines.contains(#"quarry_refused_total{limit="session"} 2"#))
        #expect(lines.contains(#"quarry_refused_total{limit="peer"} 1"#))
        #expect(lines.filter { $0.hasPrefix("# TYPE quarry_refused_total") }.count == 1)
    }

    /// Backslash, double quote and line feed in a label value are escaped (`\\`, `\"`, `\n`).
    @Test(arguments: [
        (#"plain"#, #"plain"#),
        (#"a\b"#, #"a\\b"#),
        (#"say "hi""#, #"say \"hi\""#),
        ("two\nlines", #"two\nlines"#),
    ])
    func labelValuesAreEscaped(value: String, written: String) {
        let registry = MetricsRegistry()
        registry.counter("quarry_test_total", help: "Test.", labels: [("kind", value)]).increment()
        #expect(Self.lines(registry).contains("quarry_test_total{kind=\"\(written)\"} 1"))
    }

    @Test func histogramBucketsAreCumulativeWithInfSumAndCount() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("quarry_model_seconds", help: "Model time.", buckets: [0.1, 1, 10])
        histogram.record(0.05)
        histogram.record(0.5)
        histogram.record(.milliseconds(2500))
        histogram.record(100)
        let lines = Self.lines(registry)
        #expect(lines.isSuperset(of: [
            "# HELP quarry_model_seconds Model time.",
            "# TYPE quarry_model_seconds histogram",
            #"quarry_model_seconds_bucket{le="0.1"} 1"#,
            #"quarry_model_seconds_bucket{le="1.0"} 2"#,
            #"quarry_model_seconds_bucket{le="10.0"} 3"#,
            #"quarry_model_seconds_bucket{le="+Inf"} 4"#,
            "quarry_model_seconds_sum 103.05",
            "quarry_model_seconds_count 4",
        ]), "\(lines.sorted())")
    }

    @Test func gaugesAreReadFromTheirOwnersAtEachScrape() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("quarry_sockets_open", help: "Sockets open.")
        final class Owner: @unchecked Sendable { var sockets = 3 }
        let owner = Owner()
        registry.onScrape { gauge.set(owner.sockets) }
        #expect(Self.lines(registry).contains("quarry_sockets_open 3.0"))
        owner.sockets = 0
        #expect(Self.lines(registry).contains("quarry_sockets_open 0.0"))
    }

    @Test func everyLineIsACommentOrASample() {
        let registry = MetricsRegistry()
        registry.counter("a_total", help: "A.").increment()
        registry.gauge("b", help: "B.").set(1.5)
        registry.histogram("c_seconds", help: "C.", buckets: [1]).record(0.5)
        let text = String(decoding: registry.exposition(), as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        for line in text.split(separator: "\n") {
            let isComment = line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ")
            let parts = line.split(separator: " ")
            #expect(isComment || (parts.count == 2 && Double(parts[1]) != nil), "\(line)")
        }
    }
}
