// Everything that can go wrong when asking a model, with words for the person at the kiosk; the raw cause is
// for the log.

/// Which timeout ran out.
public enum TimeoutKind: String, Sendable, Equatable {
    /// Connecting to the server.
    case connect
    /// Waiting for the first piece of the answer.
    case firstToken = "first token"
    /// Waiting between pieces once the answer had started.
    case idle
    /// The whole answer.
    case total
}

/// Why a request to the model failed.
public enum LLMError: Error, Sendable, Equatable {
    /// No endpoint is configured.
    case notConfigured
    /// The server refused the key (401 or 403).
    case keyRejected(status: Int, message: String)
    /// The server does not know the model (404).
    case modelNotFound(model: String, message: String)
    /// Too many requests (429); `retryAfter` is what the server asked for.
    case rateLimited(retryAfter: Duration?, message: String)
    /// The server failed (5xx), or reported an error inside the stream.
    case upstream(status: Int?, message: String)
    /// The stream ended before the answer was complete, after `characters` characters of it.
    case streamCut(characters: Int)
    /// A timeout ran out.
    case timedOut(TimeoutKind)
    /// The person stopped the answer.
    case cancelled
    /// The server could not be reached (connection refused, DNS, TLS).
    case unreachable(message: String)
    /// The server answered with something that is not OpenAI's format.
    case badResponse(message: String)
    /// Quarry's own ceiling on requests a minute (`LLMConfiguration.maxRequestsPerMinute`) is reached; a request
    /// may go again after `retryAfter`.
    case ceilingReached(retryAfter: Duration)

    /// Why a request is being tried again, in a few words for a thinking step ("Rate limited").
    public var retryReason: String {
        switch self {
        case .rateLimited: "Rate limited"
        case .upstream(let status, _): status.map { "The model service answered \($0)" } ?? "The model service had a problem"
        case .unreachable, .timedOut: "The model service could not be reached"
        case .streamCut: "The connection closed early"
        default: "The request failed"
        }
    }

    /// What to tell the person at the screen. Never the service's own words: they can name internal hosts or
    /// carry tokens (those are in ``logMessage``, for the log).
    public var userMessage: String {
        switch self {
        case .notConfigured:
            "No language model is configured."
        case .keyRejected:
            "The language model service did not accept Quarry's key. An administrator needs to check the API key."
        case .modelNotFound(let model, _):
            "The language model service does not have the model “\(model)”. An administrator needs to check the model name."
        case .rateLimited(let retryAfter, _):
            if let retryAfter {
                "The language model service is busy. Please try again in \(Self.seconds(retryAfter))."
            } else {
                "The language model service is busy. Please try again in a moment."
            }
        case .upstream:
            "The language model service had a problem. Please try again in a moment."
        case .streamCut(let characters):
            characters > 0
                ? "The answer was cut off after \(characters) characters. What arrived is kept above."
                : "The connection to the language model service closed before an answer arrived."
        case .timedOut(let kind):
            switch kind {
            case .connect: "The language model service could not be reached in time."
            case .firstToken: "The language model took too long to start answering."
            case .idle: "The language model stopped answering partway through. What arrived is kept above."
            case .total: "The answer took too long and was stopped. What arrived is kept above."
            }
        case .cancelled:
            "Stopped."
        case .unreachable:
            "The language model service could not be reached."
        case .badResponse:
            "The language model service sent something Quarry does not understand."
        case .ceilingReached(let retryAfter):
            "Quarry has asked the language model all the questions it may this minute. "
                + "Please try again in \(Self.seconds(retryAfter, roundingUp: true))."
        }
    }

    /// For the log and the administrator's terminal: ``userMessage`` and, when there is one, what the service
    /// itself said (which ``userMessage`` leaves out).
    public var logMessage: String {
        switch self {
        case .keyRejected(_, let message), .modelNotFound(_, let message), .rateLimited(_, let message),
             .upstream(_, let message), .unreachable(let message), .badResponse(let message):
            message.isEmpty ? userMessage : "\(userMessage) (the service said: \(message))"
        default:
            userMessage
        }
    }

    /// Whether trying again might succeed (before any text arrived): rate limits, server failures, no
    /// connection.
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .unreachable: true
        case .upstream(let status, _): status.map { $0 >= 500 } ?? false
        case .timedOut(let kind): kind == .connect
        default: false
        }
    }

    static func seconds(_ duration: Duration, roundingUp: Bool = false) -> String {
        let whole = Int(duration.components.seconds)
        let s = max(1, whole + (roundingUp && duration.components.attoseconds > 0 ? 1 : 0))
        return s == 1 ? "1 second" : "\(s) seconds"
    }
}
