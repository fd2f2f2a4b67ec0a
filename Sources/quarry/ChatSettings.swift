// How `serve` and `ask` answer questions: the model (or none: the passages answer), embeddings, and the chat's
// limits. Each from its flag, else its environment variable, else its default.
//
// | variable                    | flag              | default |
// | --------------------------- | ----------------- | ------- |
// | QUARRY_LLM_BASE_URL         | --llm-base-url    | https://api.openai.com/v1 when a key is set; none otherwise |
// | QUARRY_LLM_MODEL            | --llm-model       | gpt-4o-mini |
// | QUARRY_LLM_API_KEY, OPENAI_API_KEY | (environment only: keys stay out of `ps`) | none |
// | QUARRY_MAX_ANSWERS          | --max-answers     | 4 (answers generated at once; more wait their turn) |
// | QUARRY_ANSWER_TIMEOUT       | --answer-timeout  | 300 (seconds from question to last word) |
// | QUARRY_QUESTIONS_PER_MINUTE | (environment only)| 10 (per browser session) |
// | QUARRY_QUESTIONS_PER_MINUTE_PER_PEER | (environment only) | 30 (per network address, over all its sessions) |
// | QUARRY_WAITING_ANSWERS      | (environment only)| 16 (answers waiting for their turn, whole server; more questions are refused) |
// | QUARRY_WAITING_ANSWERS_PER_SESSION | (environment only) | 1 (besides the one running; a session never runs two) |
// | QUARRY_ANSWERS_PER_PEER     | (environment only)| 8 (answers running or waiting per network address) |
// | QUARRY_MAX_QUESTION_BYTES   | (environment only)| 16384 (bytes of UTF-8; 4000 characters too) |
// | QUARRY_LLM_REQUESTS_PER_MINUTE | (environment only) | 60 (model requests a minute, whole server; 0: no ceiling) |
// | QUARRY_UPDATE_INTERVAL_MS   | (environment only)| 100 (how often a growing answer is sent to the page) |
// The other QUARRY_LLM_* variables (timeouts, headers) are in docs/llm.md.
import Chat
import LLM

/// The model, embeddings and chat settings of one `serve` or `ask`.
struct ChatSettings {
    /// The model endpoint; nil: no model, the passages answer.
    var model: LLMConfiguration?
    /// The embeddings endpoint, when QUARRY_EMBEDDINGS_MODEL asks for one.
    var embeddings: LLMConfiguration?
    var chat: ChatConfiguration

    init(options: ChatOptions, environment: Environment) throws(UsageError) {
        var values = environment.values
        if let url = options.llmBaseURL { values["QUARRY_LLM_BASE_URL"] = url }
        if let name = options.llmModel { values["QUARRY_LLM_MODEL"] = name }
        do { model = try LLMConfiguration.fromEnvironment(values) } catch { throw UsageError(message: error.description) }
        embeddings = try embeddingsConfiguration(Environment(values: values))
        func number(_ flag: String?, _ option: String?, _ key: String, default value: Int, range: ClosedRange<Int>)
            throws(UsageError) -> Int
        {
            let (text, source) = flag.map { ($0, "--\(option ?? key)") } ?? environment[key].map { ($0, key) } ?? ("\(value)", "")
            guard let number = Int(text), range.contains(number) else {
                throw UsageError(message: "\(source) must be a whole number from \(range.lowerBound) to \(range.upperBound), not “\(text)”.")
            }
            return number
        }
        chat = ChatConfiguration(
            updateInterval: .milliseconds(try number(nil, nil, "QUARRY_UPDATE_INTERVAL_MS", default: 100, range: 10...5_000)),
            maxConcurrentAnswers: try number(options.maxAnswers, "max-answers", "QUARRY_MAX_ANSWERS", default: 4, range: 1...64),
            maxWaitingAnswers: try number(nil, nil, "QUARRY_WAITING_ANSWERS", default: 16, range: 0...10_000),
            maxWaitingAnswersPerSession: try number(nil, nil, "QUARRY_WAITING_ANSWERS_PER_SESSION", default: 1,
                                                    range: 0...100),
            maxAnswersPerPeer: try number(nil, nil, "QUARRY_ANSWERS_PER_PEER", default: 8, range: 1...10_000),
            answerTimeout: .seconds(try number(options.answerTimeout, "answer-timeout", "QUARRY_ANSWER_TIMEOUT",
                                               default: 300, range: 5...86_400)),
            questionsPerMinute: try number(nil, nil, "QUARRY_QUESTIONS_PER_MINUTE", default: 10, range: 1...10_000),
            questionsPerMinutePerPeer: try number(nil, nil, "QUARRY_QUESTIONS_PER_MINUTE_PER_PEER", default: 30,
                                                  range: 1...100_000),
            maxQuestionBytes: try number(nil, nil, "QUARRY_MAX_QUESTION_BYTES", default: 16_384, range: 256...65_536))
    }

    /// The model's name as answers record it; nil when the passages answer.
    var modelName: String? { model?.model }
}
