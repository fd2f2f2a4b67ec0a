// A whole `chat.completion` body as the deltas a stream would have given: some servers ignore `stream: true`
// and answer with one JSON object (Content-Type application/json), and the client falls back to this.

internal import JSON

extension ChatStreamDecoder {
    /// The deltas of a non-streaming `chat.completion` response body, in the order a stream gives them:
    /// `choices[0].message.reasoning_content` (or `reasoning`) as `.thinking`, `message.content` as `.text`,
    /// `choices[0].finish_reason` as `.finished`, then `usage`.
    ///
    /// - Throws: `LLMError.upstream` when the body is an error object; `LLMError.badResponse` when it is not a
    ///   JSON object or has no `choices` array.
    internal static func decodeCompletion(_ body: some Collection<UInt8>) throws(LLMError) -> [ChatDelta] {
        let response = try object(body, what: "a response")
        if let message = errorMessage(in: response) {
            throw LLMError.upstream(status: nil, message: message)
        }
        guard let choices = response["choices"]?.array else {
            throw LLMError.badResponse(message: "a response without choices: \(excerpt(body))")
        }
        var deltas: [ChatDelta] = []
        if let choice = choices.first {
            if let message = choice["message"] { appendContent(of: message, to: &deltas) }
            appendFinish(choice, to: &deltas)
        }
        if let usage = usage(response["usage"]) { deltas.append(.usage(usage)) }
        return deltas
    }
}
