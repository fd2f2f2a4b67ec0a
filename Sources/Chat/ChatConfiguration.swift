// How the chat runs: how often the page hears of a growing answer, how often it is saved, how many answers run at
// once, how long one may take, and how many questions a session may ask a minute.

/// The chat's settings; the defaults suit a small machine answering a kiosk or an intranet.
public struct ChatConfiguration: Sendable {
    /// How often, at most, a growing answer is re-rendered and its difference sent (also at every new line).
    public var updateInterval: Duration
    /// How often a growing answer is saved to the database, so a crash loses at most this much.
    public var checkpointInterval: Duration
    /// Answers generated at once; more wait their turn, showing "Waiting…".
    public var maxConcurrentAnswers: Int
    /// The longest an answer may take from its question to its last word.
    public var answerTimeout: Duration
    /// Questions (and retries) one browser session may ask per minute.
    public var questionsPerMinute: Int
    /// The longest question taken, in characters.
    public var maxQuestionCharacters: Int
    /// Passages retrieved for each question (shown as its sources).
    public var passages: Int
    /// Earlier messages of the thread sent to the model as context.
    public var historyMessages: Int

    public init(updateInterval: Duration = .milliseconds(100), checkpointInterval: Duration = .seconds(1),
                maxConcurrentAnswers: Int = 4, answerTimeout: Duration = .seconds(300), questionsPerMinute: Int = 10,
                maxQuestionCharacters: Int = 4_000, passages: Int = 8, historyMessages: Int = 6) {
        self.updateInterval = updateInterval
        self.checkpointInterval = checkpointInterval
        self.maxConcurrentAnswers = max(1, maxConcurrentAnswers)
        self.answerTimeout = answerTimeout
        self.questionsPerMinute = max(1, questionsPerMinute)
        self.maxQuestionCharacters = maxQuestionCharacters
        self.passages = passages
        self.historyMessages = historyMessages
    }
}
