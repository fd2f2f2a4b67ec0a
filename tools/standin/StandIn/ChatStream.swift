// A streamed chat completion, chunk by chunk as OpenAI sends them, with the faults the plan asks for.
import JSON

/// Writes one streamed completion:
/// 1. the head, then `{"role":"assistant","content":""}`;
/// 2. after `first-token-delay` (default 0), `reasoning=` chunks of `reasoning_content`, then one chunk per answer
///    token, token k due k intervals later (`token-delay`, else 1 / tokens per second);
/// 3. `{}` with `finish_reason: "stop"`; the usage chunk (`choices: []`) if `stream_options.include_usage`;
///    `data: [DONE]`.
/// `cut-after`, `stall-after` and `error-after` take over after that many answer tokens (reasoning not counted).
struct ChatStream {
    let server: StandInServer
    let connection: Connection
    let plan: CompletionPlan

    /// How writing ended.
    private enum Outcome {
        case finished(Ending)
        case clientLeft
    }

    func run() -> Ending {
        server.streamStarted()
        let outcome = write()
        switch outcome {
        case .finished(let ending):
            server.streamEnded(clientLeft: false)
            return ending
        case .clientLeft:
            server.streamEnded(clientLeft: true)
            return .abrupt
        }
    }

    private func write() -> Outcome {
        let spec = plan.spec
        var writer = EventWriter(connection: connection, spec: spec)
        guard writer.head(), writer.data(chunk(delta: #"{"role":"assistant","content":""}"#)) else {
            return .clientLeft
        }
        let start = monotonicNanoseconds() + plan.firstDelay
        var due = start
        for piece in plan.reasoning {
            guard connection.pause(until: due),
                  writer.data(chunk(delta: #"{"reasoning_content":\#(quoted(piece))}"#))
            else { return .clientLeft }
            due += plan.interval
        }
        let pieces = plan.contentPieces
        for index in 0...pieces.count {
            if let ending = takeOver(after: index, writer: &writer) { return ending }
            guard index < pieces.count else { break }
            guard connection.pause(until: due) else { return .clientLeft }
            let text = spec.timestamps ? "\(monotonicNanoseconds()) " : pieces[index]
            guard writer.data(chunk(delta: #"{"content":\#(quoted(text))}"#)) else { return .clientLeft }
            due += plan.interval
        }
        guard writer.data(chunk(delta: "{}", finishReason: #""stop""#)) else { return .clientLeft }
        if plan.includeUsage {
            guard writer.data(prefix + #""choices":[],"usage":\#(plan.usage.serialized)}"#) else { return .clientLeft }
        }
        if !spec.noDone {
            guard writer.data("[DONE]") else { return .clientLeft }
        }
        return writer.end() ? .finished(.graceful) : .clientLeft
    }

    /// The fault that ends the stream once `sent` answer tokens are out, if any.
    private func takeOver(after sent: Int, writer: inout EventWriter) -> Outcome? {
        let spec = plan.spec
        if spec.cutAfter == sent { return .finished(spec.reset ? .reset : .abrupt) }
        if spec.stallAfter == sent {
            // Wakes only when the client leaves or the server stops (`streamEnded` tells the two apart).
            _ = connection.pause(until: nil)
            return .clientLeft
        }
        if spec.errorAfter == sent {
            let error = APIError(status: 500, message: "The server had an error while processing your request. "
                + "Sorry about that!", type: "server_error")
            guard writer.data(error.json.serialized), writer.end() else { return .clientLeft }
            return .finished(spec.reset ? .reset : .graceful)
        }
        return nil
    }

    /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,` — the start of every chunk.
    private var prefix: String {
        #"{"id":\#(quoted(plan.id)),"object":"chat.completion.chunk","created":\#(plan.created),"#
            + #""model":\#(quoted(plan.model)),"#
    }

    /// One chunk with a single choice; with `include_usage`, OpenAI adds `"usage":null` to every such chunk.
    private func chunk(delta: String, finishReason: String = "null") -> String {
        prefix + #""choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finishReason)}]"#
            + (plan.includeUsage ? #","usage":null}"# : "}")
    }

    private func quoted(_ text: String) -> String { JSONValue.string(text).serialized }
}
