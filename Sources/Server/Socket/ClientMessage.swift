// Upward messages: one small JSON object per text frame. Everything here is hostile until decoded.
internal import JSON
internal import TurboStream

/// A decoded upward message.
enum ClientMessage: Equatable {
    case subscribe(stream: String)
    case unsubscribe(stream: String)
    case earlier(stream: String, before: String)
    case ask(thread: String?, content: String)
    case stop(message: String)
    case retry(message: String)

    /// Why a message could not be decoded, said for the person at the screen.
    struct Rejection: Error, Equatable {
        let code: Wire.ErrorCode
        let message: String
    }

    /// Decodes one message, or says precisely what is wrong with it.
    static func decode(_ bytes: [UInt8]) -> Result<ClientMessage, Rejection> {
        // Messages are flat; anything nested deeper than this is not one of ours.
        guard let value = try? JSONValue.parse(bytes, maxDepth: 8), let members = value.object else {
            return .failure(Rejection(code: .badJSON, message: "The message was not a JSON object."))
        }
        let fields = Fields(members)
        if let name = fields.mistyped {
            return .failure(Rejection(code: .badField, message: "The field “\(name)” must be text."))
        }
        func required(_ value: String?, _ name: String) -> Result<String, Rejection> {
            guard let value else { return .failure(Rejection(code: .missingField, message: "The field “\(name)” is missing.")) }
            return .success(value)
        }
        guard let op = fields.op else {
            return .failure(Rejection(code: .missingField, message: "The field “op” is missing."))
        }
        switch Wire.Op(rawValue: op) {
        case .subscribe: return required(fields.stream, "stream").map { .subscribe(stream: $0) }
        case .unsubscribe: return required(fields.stream, "stream").map { .unsubscribe(stream: $0) }
        case .earlier:
            return required(fields.stream, "stream").flatMap { stream in
                required(fields.before, "before").map { .earlier(stream: stream, before: $0) }
            }
        case .ask: return required(fields.content, "content").map { .ask(thread: fields.thread, content: $0) }
        case .stop: return required(fields.message, "message").map { .stop(message: $0) }
        case .retry: return required(fields.message, "message").map { .retry(message: $0) }
        case nil:
            let shown = op.count > 40 ? String(op.prefix(40)) + "…" : op
            return .failure(Rejection(code: .unknownOp, message: "“\(shown)” is not something this server can do."))
        }
    }
}

/// The text fields an upward message may carry; null counts as absent.
private struct Fields {
    var op, stream, thread, content, message, before: String?
    /// The first known field that is present but not text.
    var mistyped: String?

    init(_ members: [String: JSONValue]) {
        var mistyped: String?
        func text(_ name: String) -> String? {
            switch members[name] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default:
                if mistyped == nil { mistyped = name }
                return nil
            }
        }
        op = text("op")
        stream = text("stream")
        thread = text("thread")
        content = text("content")
        message = text("message")
        before = text("before")
        self.mistyped = mistyped
    }
}
