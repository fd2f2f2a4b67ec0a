// Upward messages: one small JSON object per text frame. Everything here is hostile until decoded.
internal import FoundationEssentials
internal import TurboStream

/// A decoded upward message.
enum ClientMessage: Equatable {
    case subscribe(stream: String)
    case unsubscribe(stream: String)
    case ask(thread: String?, content: String)
    case stop(message: String)

    /// Why a message could not be decoded, said for the person at the screen.
    struct Rejection: Error, Equatable {
        let code: Wire.ErrorCode
        let message: String
    }

    private struct Fields: Decodable {
        var op: String?
        var stream: String?
        var thread: String?
        var content: String?
        var message: String?
    }

    /// Decodes one message, or says precisely what is wrong with it.
    static func decode(_ bytes: [UInt8]) -> Result<ClientMessage, Rejection> {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let field = context.codingPath[0].stringValue
            return .failure(Rejection(code: .badField, message: "The field “\(field)” must be text."))
        } catch {
            return .failure(Rejection(code: .badJSON, message: "The message was not a JSON object."))
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
        case .ask: return required(fields.content, "content").map { .ask(thread: fields.thread, content: $0) }
        case .stop: return required(fields.message, "message").map { .stop(message: $0) }
        case nil:
            let shown = op.count > 40 ? String(op.prefix(40)) + "…" : op
            return .failure(Rejection(code: .unknownOp, message: "“\(shown)” is not something this server can do."))
        }
    }
}
