@testable import Chat
import Contracts
import LLM
import Telemetry
import TestSupport
import Testing

/// What the chat counts in the metrics registry, against the real service (SQLite file, stand-in model over
/// loopback): answers and how they ended, the model's text, latency and errors by kind, and refusals by limit.
@Suite struct ChatMetricsTests {
    /// The samples of a scrape, by `name{labels}`.
    static func samples(_ registry: MetricsRegistry) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in String(decoding: registry.exposition(), as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            samples[String(parts[0])] = Double(parts[1])
        }
        return samples
    }

    @Test func anAnswerFromTheModelIsCountedAndTimed() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let registry = MetricsRegistry()
            let f = try ChatFixture(folder: folder, metrics: registry)
            defer { f.stop() }
            try await f.ask("How are granite blocks cut?")
            let samples = Self.samples(registry)
            #expect(samples["quarry_answers_started_total"] == 1)
            #expect(samples[#"quarry_answers_finished_total{status="complete"}"#] == 1)
            #expect((samples["quarry_tokens_streamed_total"] ?? 0) > 0)
            #expect(samples["quarry_model_first_token_seconds_count"] == 1)
            #expect(samples["quarry_model_response_seconds_count"] == 1)
            #expect(samples["quarry_answers_running"] == 0 && samples["quarry_answers_waiting"] == 0)
        }
    }

    @Test(arguments: [("status=401", "key_rejected"), ("status=404", "model_not_found"), ("status=500,times=9", "upstream")])
    func aModelFailureIsCountedByKind(fault: String, kind: String) async throws {
        try await withTemporaryDirectoryAsync { folder in
            let registry = MetricsRegistry()
            let f = try ChatFixture(folder: folder, llm: { $0.maxRetryDelay = .milliseconds(10) }, metrics: registry)
            defer { f.stop() }
            try await f.ask(faulty(fault))
            let samples = Self.samples(registry)
            #expect(samples[#"quarry_answers_finished_total{status="error"}"#] == 1)
            #expect(samples["quarry_model_errors_total{kind=\"\(kind)\"}"] == 1)
            let errors = samples.filter { $0.key.hasPrefix("quarry_model_errors_total") }.values.reduce(0, +)
            #expect(errors == 1, "one failure, one kind")
            #expect(samples["quarry_model_first_token_seconds_count"] == 0)
            #expect(samples["quarry_model_response_seconds_count"] == 1)
        }
    }

    @Test func aRefusedQuestionIsCountedByItsLimit() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let registry = MetricsRegistry()
            let f = try ChatFixture(folder: folder, model: false,
                                    configuration: ChatConfiguration(updateInterval: .zero, questionsPerMinute: 1),
                                    metrics: registry)
            try await f.ask("Granite?")
            f.service.handle(.ask(thread: nil, content: "Marble?"), from: ChatFixture.client("s1"))
            let samples = Self.samples(registry)
            #expect(samples[#"quarry_questions_refused_total{limit="session_rate"}"#] == 1)
            #expect(samples["quarry_answers_started_total"] == 1)
            #expect(samples["quarry_tokens_streamed_total"] == 0, "the passages answer is no model's")
            #expect(samples["quarry_model_response_seconds_count"] == 0)
        }
    }
}
