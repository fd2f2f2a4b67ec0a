// A model answering from passages: the prompt Quarry sends, and the stream the client returns.

/// Answers with a language model, from the passages retrieval found.
public struct ModelAnswerer: Answerer {
    /// The client that reaches the model.
    public let client: LLMClient
    /// Most characters of passages put in the prompt: small local models have small context windows.
    public var maxContextCharacters: Int
    /// Most earlier messages of the conversation sent along.
    public var maxHistoryMessages: Int

    /// An answerer over `client`.
    public init(client: LLMClient, maxContextCharacters: Int = 8_000, maxHistoryMessages: Int = 6) {
        self.client = client
        self.maxContextCharacters = maxContextCharacters
        self.maxHistoryMessages = maxHistoryMessages
    }

    public func answer(_ request: AnswerRequest) -> AsyncThrowingStream<ChatDelta, any Error> {
        client.streamChat(messages(for: request))
    }

    public var modelBusyFor: Duration? { client.ceiling?.wait() }

    static let systemPrompt = """
        You are Quarry, an assistant that answers questions about a collection of documents.
        - Answer from the numbered passages given with the question, and only from them. If they do not contain \
        the answer, say so plainly instead of guessing.
        - Be concise and accurate. Use markdown (lists, bold, tables, code blocks) where it makes the answer easier \
        to read.
        - After each statement taken from the passages, cite them by number in square brackets, like [2] or [1][3], \
        right after the statement. Cite only passages that say what the statement says. Do not write a list of \
        sources at the end; the reader sees the numbered passages beside your answer.
        - Answer in the language the question is written in.
        """

    /// The messages sent: instructions, the recent conversation, then the passages and the question.
    func messages(for request: AnswerRequest) -> [ChatMessage] {
        var context = ""
        for (number, passage) in request.passages.enumerated() {
            let title = passage.heading.map { "\(passage.title) › \($0)" } ?? passage.title
            let block = "[\(number + 1)] \(title)\n\(passage.text)\n\n"
            if context.count + block.count > maxContextCharacters && !context.isEmpty { break }
            context += block.count > maxContextCharacters ? String(block.prefix(maxContextCharacters)) + "\n\n" : block
        }
        let question = context.isEmpty
            ? "No passage of the documents matched this question.\n\nQuestion: \(request.question)"
            : "Passages:\n\n\(context)Question: \(request.question)"
        return [ChatMessage(role: "system", content: Self.systemPrompt)]
            + request.history.suffix(maxHistoryMessages)
            + [ChatMessage(role: "user", content: question)]
    }
}
