// What a failed HTTP response means for Quarry: the status and the server's own message become an LLMError.
internal import Curl
internal import JSON
internal import TextLines

enum HTTPFailure {
    /// The error for a response with a status outside 2xx; `body` is what the server sent (its error JSON, if any).
    static func error(status: Int, headers: CurlResponse, body: [UInt8], model: String) -> LLMError {
        let message = serverMessage(body)
        switch status {
        case 401, 403: return .keyRejected(status: status, message: message)
        case 404: return .modelNotFound(model: model, message: message)
        case 429: return .rateLimited(retryAfter: retryAfter(headers[header: "Retry-After"]), message: message)
        case 500...: return .upstream(status: status, message: message)
        default: return .upstream(status: status, message: message)
        }
    }

    /// The server's message: OpenAI's `{"error":{"message":…}}`, a bare `{"error":"…"}` (Ollama), or the start of
    /// the body as text. For the log only (``LLMError/logMessage``), never for the page; on one line, so a service
    /// cannot forge log lines.
    static func serverMessage(_ body: [UInt8]) -> String {
        if let json = try? JSONValue.parse(body, maxDepth: 16) {
            if let message = json["error"]?["message"]?.string ?? json["error"]?.string ?? json["message"]?.string {
                return oneLine(String(message.prefix(300)))
            }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return oneLine(text).trimmingBlanks
    }

    /// Control characters (new lines, escapes) as spaces.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// `Retry-After` in seconds (the HTTP-date form is rare from APIs and is ignored).
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Double(value.trimmingBlanks), seconds >= 0, seconds < 86_400 else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The error for a transfer libcurl could not complete.
    static func error(_ error: CurlError, characters: Int) -> LLMError {
        switch error.code {
        case .couldntConnect, .couldntResolveHost, .sslConnectError, .peerFailedVerification:
            return .unreachable(message: error.debugDescription)
        case .operationTimedout:
            return characters == 0 ? .timedOut(.connect) : .timedOut(.total)
        default:
            return characters > 0 ? .streamCut(characters: characters) : .unreachable(message: error.debugDescription)
        }
    }
}

/// When to try again: before any text, for transient failures, with polynomially growing waits that honour
/// the server's `Retry-After`.
struct RetryPolicy: Sendable {
    let maxAttempts: Int
    let maxDelay: Duration

    /// The wait before attempt `next` (2, 3, …) after `error`, or nil to give up.
    func delay(before next: Int, after error: LLMError) -> Duration? {
        guard error.isTransient, next <= maxAttempts else { return nil }
        if case .rateLimited(let retryAfter?, _) = error {
            return retryAfter <= maxDelay ? max(retryAfter, .milliseconds(100)) : nil
        }
        // 1 s, 4 s, 9 s, …: quick for a blip, patient for a server that is struggling.
        let n = Int64(next - 1)
        return min(.seconds(n * n), maxDelay)
    }
}
