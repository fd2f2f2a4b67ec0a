// Error responses in OpenAI's shape: {"error":{"message","type","param","code"}}.
import JSON

/// An error response: its status, OpenAI-style body fields and any extra headers.
struct APIError: Error {
    var status: Int
    var message: String
    var type: String
    var param: String? = nil
    var code: String? = nil
    var headers: [(name: String, value: String)] = []

    /// The body, `{"error":{"message":…,"type":…,"param":…,"code":…}}`.
    var json: JSONValue {
        ["error": [
            "message": .string(message), "type": .string(type),
            "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null,
        ]]
    }

    static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static func invalidURL(_ request: RecordedRequest) -> APIError {
        APIError(status: 404, message: "Invalid URL (\(request.method) \(request.path))", type: "invalid_request_error")
    }

    static func modelNotFound(_ model: String) -> APIError {
        APIError(
            status: 404, message: "The model `\(model)` does not exist or you do not have access to it.",
            type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    static func invalidAPIKey(provided: Bool) -> APIError {
        let message = provided
            ? "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
            : "You didn't provide an API key. You need to provide your API key in an Authorization header using "
                + "Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        return APIError(status: 401, message: message, type: "invalid_request_error", code: "invalid_api_key")
    }

    /// The error a `status=` fault injects, worded as OpenAI words that status.
    static func injected(status: Int, retryAfter: Int?) -> APIError {
        var error: APIError
        switch status {
        case 401: error = .invalidAPIKey(provided: true)
        case 403: error = APIError(status: 403, message: "You are not allowed to sample from this model.",
                                   type: "invalid_request_error", code: "unsupported_country_region_territory")
        case 404: error = .modelNotFound("injected")
        case 429: error = APIError(status: 429, message: "Rate limit reached for requests. Please try again later.",
                                   type: "requests", code: "rate_limit_exceeded")
        case 500: error = APIError(status: 500, message: "The server had an error while processing your request. "
                                       + "Sorry about that!", type: "server_error")
        case 502: error = APIError(status: 502, message: "Bad gateway.", type: "server_error")
        case 503: error = APIError(status: 503, message: "The engine is currently overloaded, please try again later.",
                                   type: "server_error")
        case 504: error = APIError(status: 504, message: "Gateway timeout.", type: "server_error")
        default: error = APIError(status: status, message: "Injected \(status) \(HTTPStatus.reason(status)).",
                                  type: status >= 500 ? "server_error" : "invalid_request_error")
        }
        error.status = status
        if let retryAfter { error.headers.append(("Retry-After", String(retryAfter))) }
        return error
    }
}

/// Status lines and response heads.
enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }

    /// `HTTP/1.1 <status> <reason>`, the headers, `Connection: close` and the blank line.
    static func head(_ status: Int, _ headers: [(name: String, value: String)]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason(status))\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }
}

extension Connection {
    /// Sends a whole JSON response with `Content-Length`.
    @discardableResult
    func sendJSON(_ status: Int, _ body: JSONValue, headers: [(name: String, value: String)] = []) -> Bool {
        var bytes: [UInt8] = []
        body.write(into: &bytes)
        bytes.append(10)
        let head = HTTPStatus.head(status, [
            ("Content-Type", "application/json"), ("Content-Length", String(bytes.count)),
        ] + headers)
        return send(head + bytes)
    }

    /// Sends an error response.
    @discardableResult
    func send(_ error: APIError) -> Bool { sendJSON(error.status, error.json, headers: error.headers) }
}
