// How Quarry reaches an OpenAI-compatible model: OpenAI itself, Ollama, llama.cpp's server, vLLM.

/// The model endpoint and how patient to be with it.
public struct LLMConfiguration: Sendable, Equatable {
    /// The API's base URL, up to and including `/v1` (OpenAI: `https://api.openai.com/v1`; Ollama:
    /// `http://localhost:11434/v1`).
    public var baseURL: String
    /// Sent as `Authorization: Bearer <key>` when present.
    public var apiKey: String?
    /// The chat model.
    public var model: String
    /// The embeddings model.
    public var embeddingsModel: String
    /// Further headers for every request (some gateways want their own).
    public var extraHeaders: [(name: String, value: String)]
    /// Connecting to the server.
    public var connectTimeout: Duration
    /// From sending the question to the first piece of the answer: long, because a small machine loading a
    /// local model can take minutes.
    public var firstTokenTimeout: Duration
    /// Between pieces once the answer has started.
    public var idleTimeout: Duration
    /// The whole answer.
    public var totalTimeout: Duration
    /// Attempts for a request that fails before any text arrived (rate limit, server failure, no connection).
    public var maxAttempts: Int
    /// The longest wait between attempts; a server asking for longer (`Retry-After`) gets an error instead.
    public var maxRetryDelay: Duration
    /// Chat requests (retries included) the whole server may send a minute; nil for no ceiling. Past it, questions
    /// are refused with a notice saying when to ask again (``RequestCeiling``).
    public var maxRequestsPerMinute: Int?

    /// A configuration; the defaults suit a slow local model on a Raspberry Pi.
    public init(
        baseURL: String = "https://api.openai.com/v1",
        apiKey: String? = nil,
        model: String = "gpt-4o-mini",
        embeddingsModel: String = "text-embedding-3-small",
        extraHeaders: [(name: String, value: String)] = [],
        connectTimeout: Duration = .seconds(10),
        firstTokenTimeout: Duration = .seconds(180),
        idleTimeout: Duration = .seconds(60),
        totalTimeout: Duration = .seconds(900),
        maxAttempts: Int = 3,
        maxRetryDelay: Duration = .seconds(30),
        maxRequestsPerMinute: Int? = 60
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.embeddingsModel = embeddingsModel
        self.extraHeaders = extraHeaders
        self.connectTimeout = connectTimeout
        self.firstTokenTimeout = firstTokenTimeout
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.maxAttempts = maxAttempts
        self.maxRetryDelay = maxRetryDelay
        self.maxRequestsPerMinute = maxRequestsPerMinute
    }

    /// The URL of an endpoint under the base URL (`chat/completions`, `embeddings`, `models`).
    func url(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.baseURL == b.baseURL && a.apiKey == b.apiKey && a.model == b.model && a.embeddingsModel == b.embeddingsModel
            && a.extraHeaders.map { "\($0.name): \($0.value)" } == b.extraHeaders.map { "\($0.name): \($0.value)" }
            && a.connectTimeout == b.connectTimeout && a.firstTokenTimeout == b.firstTokenTimeout
            && a.idleTimeout == b.idleTimeout && a.totalTimeout == b.totalTimeout && a.maxAttempts == b.maxAttempts
            && a.maxRetryDelay == b.maxRetryDelay && a.maxRequestsPerMinute == b.maxRequestsPerMinute
    }
}
