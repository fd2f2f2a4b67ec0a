// From the events of an OpenAI-compatible chat completions stream to `ChatDelta`s.
//
// One event's data is one `chat.completion.chunk` (or `[DONE]`, or an error). What is read, and what it gives:
//
//   data `[DONE]` (spaces around allowed)        the stream is complete: `isDone`
//   `choices[0].delta.reasoning_content`          `.thinking` (DeepSeek, llama.cpp, vLLM)
//   `choices[0].delta.reasoning`                  `.thinking` (OpenRouter, Ollama, newer vLLM), unless the above
//                                                 came too: servers that send both send the same text twice
//   `choices[0].delta.content`                    `.text`, when not empty
//   `choices[0].finish_reason`                    `.finished(reason:)`, when not null
//   `usage`                                       `.usage`, when an object (it comes with `"choices": []`)
//   `error` (object or string), or                throws `LLMError.upstream(status: nil, message:)`
//     `"object": "error"` (older vLLM), or
//     an event of type `error`
//   anything that is not a JSON object            throws `LLMError.badResponse`, quoting what arrived
//
// Everything else (`role`, `id`, `model`, `system_fingerprint`, llama.cpp's `timings`, vLLM's `stop_reason`,
// `logprobs`, tool calls) is ignored. An event with no data but whitespace is ignored, as is anything after `[DONE]`.

internal import JSON

/// Turns the events of an OpenAI-compatible chat completions stream into `ChatDelta`s, and counts the answer's
/// characters so a cut stream can say how much arrived. See the table at the top of this file.
internal struct ChatStreamDecoder: Sendable {
    /// Whether `[DONE]` arrived (or a whole non-streaming completion was decoded): the answer is complete.
    internal private(set) var isDone = false
    /// How many characters of answer text (`.text`, not `.thinking`) were decoded so far.
    internal private(set) var characters = 0

    /// A decoder at the start of a stream.
    internal init() {}

    /// The deltas one event of the stream carries, in the order thinking, text, finish, usage.
    ///
    /// - Throws: `LLMError.upstream` when the server reports an error in the stream; `LLMError.badResponse` when
    ///   the data is not a JSON object.
    internal mutating func decode(_ event: SSEEvent) throws(LLMError) -> [ChatDelta] {
        if isDone { return [] }
        if event.type == "error" {
            throw LLMError.upstream(status: nil, message: Self.errorEventMessage(event.data))
        }
        switch Self.marker(event.data) {
        case .blank: return []
        case .done:
            isDone = true
            return []
        case .other: break
        }
        let chunk = try Self.object(event.data.utf8, what: "stream data")
        if let message = Self.errorMessage(in: chunk) {
            throw LLMError.upstream(status: nil, message: message)
        }
        var deltas: [ChatDelta] = []
        if let choice = chunk["choices"]?[0] {
            if let delta = choice["delta"] { characters += Self.appendContent(of: delta, to: &deltas) }
            Self.appendFinish(choice, to: &deltas)
        }
        if let usage = Self.usage(chunk["usage"]) { deltas.append(.usage(usage)) }
        return deltas
    }

    /// Appends the thinking and the text of a `delta` (or a non-streaming `message`); returns the text's length
    /// in characters.
    @discardableResult
    static func appendContent(of message: JSONValue, to deltas: inout [ChatDelta]) -> Int {
        if let thinking = nonEmpty(message["reasoning_content"]) ?? nonEmpty(message["reasoning"]) {
            deltas.append(.thinking(thinking))
        }
        guard let text = nonEmpty(message["content"]) else { return 0 }
        deltas.append(.text(text))
        return text.count
    }

    /// Appends `.finished` when `choice` has a `finish_reason`.
    static func appendFinish(_ choice: JSONValue, to deltas: inout [ChatDelta]) {
        if let reason = nonEmpty(choice["finish_reason"]) { deltas.append(.finished(reason: reason)) }
    }

    // MARK: Reading the JSON

    /// What an event's data is before it is parsed: blank, `[DONE]`, or something to parse.
    private enum Marker { case blank, done, other }

    /// Looks at the data's first and last non-whitespace bytes only: this runs for every token.
    private static func marker(_ data: String) -> Marker {
        let bytes = data.utf8
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }) else { return .blank }
        guard bytes[first] == UInt8(ascii: "[") else { return .other }
        let last = bytes.lastIndex(where: { !isWhitespace($0) })!
        return bytes[first...last].elementsEqual("[DONE]".utf8) ? .done : .other
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    /// Parses `bytes` as a JSON object, or throws `badResponse` naming `what` and quoting the start of it.
    static func object(_ bytes: some Collection<UInt8>, what: String) throws(LLMError) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw LLMError.badResponse(message: "\(what) that is not JSON (\(error)): \(excerpt(bytes))")
        }
        guard value.object != nil else {
            throw LLMError.badResponse(message: "\(what) that is not a JSON object: \(excerpt(bytes))")
        }
        return value
    }

    /// The message of an error the server put in a JSON object, or nil when the object is no error: `error` as
    /// an object with a `message` (OpenAI, vLLM, Ollama, llama.cpp) or as a string, or `"object": "error"` with a
    /// `message` (older vLLM).
    static func errorMessage(in object: JSONValue) -> String? {
        if let error = object["error"], !error.isNull {
            if let text = error.string { return text.isEmpty ? "unknown error" : text }
            if let text = nonEmpty(error["message"]) { return text }
            return excerpt(error.serialized.utf8)
        }
        if object["object"]?.string == "error" {
            return nonEmpty(object["message"]) ?? excerpt(object.serialized.utf8)
        }
        return nil
    }

    /// The message of an event of type `error`: from its JSON when it has one, else its text.
    private static func errorEventMessage(_ data: String) -> String {
        if let value = try? JSONValue.parse(data) {
            if let message = errorMessage(in: value) ?? nonEmpty(value["message"]) ?? value.string { return message }
        }
        let text = excerpt(data.utf8)
        return text.allSatisfy(\.isWhitespace) ? "the server reported an error in the stream" : text
    }

    /// Token counts from a `usage` object; nil when it is absent, null, or carries none of them.
    static func usage(_ value: JSONValue?) -> Usage? {
        guard let value, value.object != nil else { return nil }
        let prompt = value["prompt_tokens"]?.int64
        let completion = value["completion_tokens"]?.int64
        let total = value["total_tokens"]?.int64
        guard prompt != nil || completion != nil || total != nil else { return nil }
        let p = Int(clamping: prompt ?? 0)
        let c = Int(clamping: completion ?? 0)
        return Usage(promptTokens: p, completionTokens: c, totalTokens: total.map { Int(clamping: $0) } ?? p + c)
    }

    /// A string that is not empty; nil for anything else (missing, null, "", a number).
    static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.string, !text.isEmpty else { return nil }
        return text
    }

    /// The start of what arrived, decoded leniently, for an error message: at most about 200 characters.
    static func excerpt(_ bytes: some Collection<UInt8>) -> String {
        let limit = 200
        let text = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
        return text.count > limit || bytes.count > limit * 4 ? String(text.prefix(limit)) + "…" : text
    }
}
