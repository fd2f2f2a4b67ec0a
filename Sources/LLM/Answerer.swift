// What the chat job hands to whatever answers: the question, the conversation so far, and the passages
// retrieval found. A model answers from them; with no model configured, the extractive answerer quotes them.
public import Curl

/// One message of a conversation, as OpenAI's chat format has it.
public struct ChatMessage: Sendable, Equatable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The text.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A passage of a document that retrieval found for a question.
public struct Passage: Sendable, Equatable {
    /// The document's title.
    public var title: String
    /// The heading the passage sits under, if any.
    public var heading: String?
    /// The passage's text (markdown or plain).
    public var text: String
    /// Relevance, 0…1.
    public var score: Double

    public init(title: String, heading: String? = nil, text: String, score: Double) {
        self.title = title
        self.heading = heading
        self.text = text
        self.score = score
    }
}

/// A question to answer from passages.
public struct AnswerRequest: Sendable, Equatable {
    /// The question.
    public var question: String
    /// Earlier messages of the conversation, oldest first (without the question).
    public var history: [ChatMessage]
    /// The passages found, most relevant first.
    public var passages: [Passage]

    public init(question: String, history: [ChatMessage] = [], passages: [Passage]) {
        self.question = question
        self.history = history
        self.passages = passages
    }
}

/// Answers questions as a stream of deltas: a model (``ModelAnswerer``) or, with none configured, the passages
/// themselves (``ExtractiveAnswerer``).
public protocol Answerer: Sendable {
    /// Streams the answer; ends with `.finished` or throws an `LLMError`. Cancelling the consumer's task (or
    /// dropping the stream) stops the work promptly.
    func answer(_ request: AnswerRequest) -> AsyncThrowingStream<ChatDelta, any Error>

    /// How long until the answerer may ask its model again, when its ceiling on requests a minute is reached;
    /// nil when it may now (or has no model).
    var modelBusyFor: Duration? { get }

    /// A standalone search query for a follow-up `question`, made from the conversation `history` (oldest first)
    /// within `limit`; nil when the answerer has no model, or the model did not give one in time.
    func searchQuery(for question: String, history: [ChatMessage], within limit: Duration) async -> String?
}

extension Answerer {
    /// No ceiling: never busy.
    public var modelBusyFor: Duration? { nil }

    /// No model: no query.
    public func searchQuery(for question: String, history: [ChatMessage], within limit: Duration) async -> String? { nil }
}

extension LLMClient {
    /// What answers questions: a model when one is configured, otherwise the passages themselves.
    public static func answerer(for configuration: LLMConfiguration?, multi: CurlMulti) -> any Answerer {
        guard let configuration else { return ExtractiveAnswerer() }
        return ModelAnswerer(client: LLMClient(configuration: configuration, multi: multi))
    }
}
