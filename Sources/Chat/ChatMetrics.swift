// What the chat reports to the metrics registry: answers started and how they ended, answers running and waiting
// (read from AnswerSlots, their owner, when `/metrics` is asked for), the model's latency, errors by kind and
// retries, the pieces of text it streamed, and questions refused by the limit that refused them.
//
// The model's figures are the answers' own (AnswerJob): a follow-up's search query and embeddings are not in them.
internal import LLM
internal import Store
internal import Telemetry

/// The chat's metrics, made once in a registry.
struct ChatMetrics: Sendable {
    private let answersStarted: Counter
    private let answersFinished: [MessageStatus: Counter]
    let answersRunning: Gauge
    let answersWaiting: Gauge
    private let tokensStreamed: Counter
    private let modelFirstToken: Histogram
    private let modelResponse: Histogram
    private let modelRetries: Counter
    private let modelErrors: [String: Counter]
    private let refusals: [QuestionRefusal: Counter]

    /// Seconds, from a quarter of a second to ten minutes: a local model on a Pi takes tens of seconds to begin.
    static let latencyBuckets: [Double] = [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

    /// Every kind an error of the model is counted as (`kind(of:)`), so each shows from the start, at zero.
    static let errorKinds = [
        "not_configured", "key_rejected", "model_not_found", "rate_limited", "upstream", "stream_cut",
        "timeout_connect", "timeout_first_token", "timeout_idle", "timeout_total", "unreachable", "bad_response",
        "ceiling_reached", "other",
    ]

    init(_ registry: MetricsRegistry) {
        answersStarted = registry.counter("quarry_answers_started_total",
                                          help: "Answers taken: questions and retries admitted past every limit.")
        answersFinished = Dictionary(uniqueKeysWithValues: [MessageStatus.complete, .error, .stopped, .interrupted].map {
            ($0, registry.counter("quarry_answers_finished_total", help: "Answers ended, by how they ended.",
                                  labels: [("status", $0.rawValue)]))
        })
        answersRunning = registry.gauge("quarry_answers_running", help: "Answers being generated now.")
        answersWaiting = registry.gauge("quarry_answers_waiting", help: "Answers waiting for their turn now.")
        tokensStreamed = registry.counter("quarry_tokens_streamed_total",
                                          help: "Pieces of answer text streamed from the model (about one token each).")
        modelFirstToken = registry.histogram("quarry_model_first_token_seconds",
                                             help: "Seconds from asking the model to its answer's first text.",
                                             buckets: Self.latencyBuckets)
        modelResponse = registry.histogram("quarry_model_response_seconds",
                                           help: "Seconds from asking the model to the end of its answer (or its failure).",
                                           buckets: Self.latencyBuckets)
        modelRetries = registry.counter("quarry_model_retries_total",
                                        help: "Requests to the model tried again after a transient failure.")
        modelErrors = Dictionary(uniqueKeysWithValues: Self.errorKinds.map {
            ($0, registry.counter("quarry_model_errors_total", help: "Answers the model failed, by kind of failure.",
                                  labels: [("kind", $0)]))
        })
        refusals = Dictionary(uniqueKeysWithValues: QuestionRefusal.allCases.map {
            ($0, registry.counter("quarry_questions_refused_total", help: "Questions refused, by the limit that refused them.",
                                  labels: [("limit", $0.rawValue)]))
        })
    }

    func started() { answersStarted.increment() }

    func finished(_ status: MessageStatus) { answersFinished[status]?.increment() }

    func streamed() { tokensStreamed.increment() }

    func firstText(after wait: Duration) { modelFirstToken.record(wait) }

    func responded(after time: Duration) { modelResponse.record(time) }

    func retried() { modelRetries.increment() }

    func modelFailed(_ error: LLMError) { modelErrors[Self.kind(of: error)]?.increment() }

    func modelFailedOtherwise() { modelErrors["other"]?.increment() }

    func refused(_ limit: QuestionRefusal) { refusals[limit]?.increment() }

    /// The `kind` label of a model's error.
    static func kind(of error: LLMError) -> String {
        switch error {
        case .notConfigured: "not_configured"
        case .keyRejected: "key_rejected"
        case .modelNotFound: "model_not_found"
        case .rateLimited: "rate_limited"
        case .upstream: "upstream"
        case .streamCut: "stream_cut"
        case .timedOut(.connect): "timeout_connect"
        case .timedOut(.firstToken): "timeout_first_token"
        case .timedOut(.idle): "timeout_idle"
        case .timedOut(.total): "timeout_total"
        case .unreachable: "unreachable"
        case .badResponse: "bad_response"
        case .ceilingReached: "ceiling_reached"
        case .cancelled: "other"
        }
    }
}

/// The limit that refused a question, as the metrics name it.
enum QuestionRefusal: String, CaseIterable, Sendable {
    /// The session has its running and waiting answers already.
    case sessionAnswers = "session_answers"
    /// The address holds as many answers as it may.
    case peerAnswers = "peer_answers"
    /// The server's queue of waiting answers is full.
    case queueFull = "queue_full"
    /// The ceiling on model requests a minute is reached.
    case modelCeiling = "model_ceiling"
    /// The session's questions a minute.
    case sessionRate = "session_rate"
    /// The address's questions a minute.
    case peerRate = "peer_rate"

    init(_ refusal: AnswerSlots.Refusal) {
        switch refusal {
        case .session: self = .sessionAnswers
        case .peer: self = .peerAnswers
        case .full: self = .queueFull
        }
    }
}
