// What the stand-in serves.

/// How a `StandInServer` behaves when a request asks for no fault.
public struct StandInConfiguration: Sendable {
    /// The answer streamed when a request does not bring its own (`answer=`): a few sentences of markdown with
    /// some non-ASCII text, so that every test also crosses multi-byte UTF-8.
    public static let defaultAnswer = """
        Quarry found **two passages** that answer this — both in the *handbook*.

        1. The café opens at 8:00 and closes at 18:00 on weekdays.
        2. Deliveries arrive through the side door; sign for them in `deliveries.md`.

        Ask again if you need the exact page.
        """

    /// The TCP port on 127.0.0.1; 0 picks a free one (see `StandInServer.start()`).
    public var port: Int
    /// When set, every request must carry `Authorization: Bearer <apiKey>`, else 401 `invalid_api_key`.
    public var apiKey: String?
    /// The model names accepted (and listed by `/v1/models`); any other gets 404 `model_not_found`. Empty: any.
    public var models: [String]
    /// The answer to every chat completion.
    public var answer: String
    /// The pace of tokens in a stream; 0 sends them as fast as the socket takes them.
    public var tokensPerSecond: Double
    /// The length of every embedding vector.
    public var embeddingDimensions: Int

    /// A configuration; every parameter has a default.
    public init(
        port: Int = 0,
        apiKey: String? = nil,
        models: [String] = ["standin-chat", "standin-embed"],
        answer: String = StandInConfiguration.defaultAnswer,
        tokensPerSecond: Double = 200,
        embeddingDimensions: Int = 64
    ) {
        self.port = port
        self.apiKey = apiKey
        self.models = models
        self.answer = answer
        self.tokensPerSecond = tokensPerSecond
        self.embeddingDimensions = embeddingDimensions
    }
}
