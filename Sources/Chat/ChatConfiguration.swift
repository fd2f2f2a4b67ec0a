// How the chat runs: how often the page hears of a growing answer, how often it is saved, how many answers run at
// once and wait, how long one may take, and how many questions a session and an address may ask.

/// The chat's settings; the defaults suit a small machine answering a kiosk or an intranet.
public struct ChatConfiguration: Sendable {
    /// How often, at most, a growing answer is re-rendered and its difference sent (also at every new line).
    public var updateInterval: Duration
    /// How often a growing answer is saved to the database, so a crash loses at most this much.
    public var checkpointInterval: Duration
    /// Answers generated at once; more wait their turn, showing "Waiting…".
    public var maxConcurrentAnswers: Int
    /// Answers waiting for their turn over the whole server; past it, questions are refused until one finishes.
    public var maxWaitingAnswers: Int
    /// Answers one browser session may have waiting besides the one it has running (it never runs two at once).
    public var maxWaitingAnswersPerSession: Int
    /// Answers (running or waiting) one peer address may hold over all its sessions.
    public var maxAnswersPerPeer: Int
    /// The longest an answer may take from its question to its last word.
    public var answerTimeout: Duration
    /// Questions (and retries) one browser session may ask per minute.
    public var questionsPerMinute: Int
    /// Questions (and retries) one peer address may ask per minute, over all its sessions.
    public var questionsPerMinutePerPeer: Int
    /// The longest question taken, in characters (as a person counts them).
    public var maxQuestionCharacters: Int
    /// The longest question taken, in bytes of UTF-8: a character can carry any number of combining marks.
    public var maxQuestionBytes: Int
    /// Passages retrieved for each question (shown as its sources).
    public var passages: Int
    /// Earlier messages of the thread sent to the model as context.
    public var historyMessages: Int
    /// The longest the model may take to turn a follow-up question into a search query; past it, the question is
    /// searched with the conversation's words instead.
    public var searchQueryTimeout: Duration

    public init(updateInterval: Duration = .milliseconds(100), checkpointInterval: Duration = .seconds(1),
                maxConcurrentAnswers: Int = 4, maxWaitingAnswers: Int = 16, maxWaitingAnswersPerSession: Int = 1,
                maxAnswersPerPeer: Int = 8, answerTimeout: Duration = .seconds(300), questionsPerMinute: Int = 10,
                questionsPerMinutePerPeer: Int = 30, maxQuestionCharacters: Int = 4_000,
                maxQuestionBytes: Int = 16_384, passages: Int = 8, historyMessages: Int = 6,
                searchQueryTimeout: Duration = .seconds(5)) {
        self.updateInterval = updateInterval
        self.checkpointInterval = checkpointInterval
        self.maxConcurrentAnswers = max(1, maxConcurrentAnswers)
        self.maxWaitingAnswers = max(0, maxWaitingAnswers)
        self.maxWaitingAnswersPerSession = max(0, maxWaitingAnswersPerSession)
        self.maxAnswersPerPeer = max(1, maxAnswersPerPeer)
        self.answerTimeout = answerTimeout
        self.questionsPerMinute = max(1, questionsPerMinute)
        self.questionsPerMinutePerPeer = max(1, questionsPerMinutePerPeer)
        self.maxQuestionCharacters = maxQuestionCharacters
        self.maxQuestionBytes = maxQuestionBytes
        self.passages = passages
        self.historyMessages = historyMessages
        self.searchQueryTimeout = searchQueryTimeout
    }
}
