// POST /v1/chat/completions: the request, what to answer, and the whole (non-streamed) answer.
import JSON

/// Everything a completion needs, decided before the first byte is written.
struct CompletionPlan {
    var id: String
    var created: Int64
    var model: String
    var answer: String
    /// The answer's tokens (their text, unless `timestamps` replaces it).
    var contentPieces: [String]
    var reasoning: [String]
    var promptTokens: Int
    var includeUsage: Bool
    var spec: FaultSpec
    /// Nanoseconds before the first token, and between tokens.
    var firstDelay: UInt64
    var interval: UInt64

    var completionTokens: Int { reasoning.count + contentPieces.count }

    var usage: JSONValue {
        ["prompt_tokens": .integer(Int64(promptTokens)), "completion_tokens": .integer(Int64(completionTokens)),
         "total_tokens": .integer(Int64(promptTokens + completionTokens))]
    }

    /// What the `reasoning=` fault thinks aloud, cycled as long as needed.
    static let reasoningText = "The question is about the handbook, so I should find the passages first and then "
        + "answer briefly, quoting the opening hours. "
}

extension StandInServer {
    func chatCompletion(_ request: RecordedRequest, on connection: Connection) throws(APIError) -> Ending {
        let body = try jsonObject(request)
        guard let messages = body["messages"]?.array else {
            throw .badRequest("Missing required parameter: 'messages'.", param: "messages",
                              code: "missing_required_parameter")
        }
        let texts = messages.map { Self.text(of: $0["content"]) }
        let lastUser = messages.indices.last { messages[$0]["role"]?.string == "user" }.map { texts[$0] }
        let spec = try fault(for: request, messageText: lastUser)
        let answer = spec.answer ?? configuration.answer
        let plan = CompletionPlan(
            id: "chatcmpl-standin\(String(UInt64.random(in: 0...UInt64.max), radix: 16))",
            created: unixTime(),
            model: try model(of: body),
            answer: answer,
            contentPieces: Tokenizer.pieces(answer),
            reasoning: Self.reasoning(spec.reasoning),
            promptTokens: texts.reduce(0) { $0 + Tokenizer.pieces($1).count },
            includeUsage: body["stream_options"]?["include_usage"]?.bool ?? false,
            spec: spec,
            firstDelay: UInt64((spec.firstTokenDelay ?? 0) * 1e9),
            interval: UInt64((spec.tokenDelay ?? defaultTokenDelay) * 1e9))
        if body["stream"]?.bool == true {
            return ChatStream(server: self, connection: connection, plan: plan).run()
        }
        guard connection.pause(until: monotonicNanoseconds() + plan.firstDelay) else { return .abrupt }
        var message: [String: JSONValue] = ["role": "assistant", "content": .string(plan.answer)]
        if !plan.reasoning.isEmpty { message["reasoning_content"] = .string(plan.reasoning.joined()) }
        connection.sendJSON(200, [
            "id": .string(plan.id), "object": "chat.completion", "created": .integer(plan.created),
            "model": .string(plan.model),
            "choices": [["index": 0, "message": .object(message), "logprobs": nil, "finish_reason": "stop"]],
            "usage": plan.usage,
        ])
        return .graceful
    }

    /// Seconds between tokens at the configured rate.
    private var defaultTokenDelay: Double {
        configuration.tokensPerSecond > 0 ? 1 / configuration.tokensPerSecond : 0
    }

    /// A message's text: a string, or the `text` of each part of an array of content parts.
    private static func text(of content: JSONValue?) -> String {
        if let text = content?.string { return text }
        return (content?.array ?? []).compactMap { $0["text"]?.string }.joined(separator: "\n")
    }

    private static func reasoning(_ count: Int) -> [String] {
        let pieces = Tokenizer.pieces(CompletionPlan.reasoningText)
        return (0..<count).map { pieces[$0 % pieces.count] }
    }
}
