// What a streaming answer yields, piece by piece, whatever produced it (a model or the extractive answerer).

/// Token counts a server reports at the end of a stream (`usage`).
public struct Usage: Sendable, Equatable {
    /// Tokens of the prompt.
    public var promptTokens: Int
    /// Tokens of the answer.
    public var completionTokens: Int
    /// Both.
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int, totalTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
    }
}

/// One piece of a streaming answer.
public enum ChatDelta: Sendable, Equatable {
    /// Answer text, to append.
    case text(String)
    /// Reasoning text from a reasoning model (`reasoning_content`): shown as thinking, never as the answer.
    case thinking(String)
    /// The model finished, with its reason (`stop`, `length`, `content_filter`, …).
    case finished(reason: String)
    /// Token counts, when the server reports them.
    case usage(Usage)
    /// A request failed before any text arrived and will be tried again after `delay`; `reason` says why in a
    /// few words for the person waiting ("Rate limited").
    case retrying(attempt: Int, of: Int, after: Duration, reason: String)
}
