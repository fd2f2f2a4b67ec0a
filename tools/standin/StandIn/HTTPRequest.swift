// Reading one HTTP/1.1 request: the head up to the blank line, then `Content-Length` bytes of body.
import JSON

/// Limits on what a request may be.
enum RequestLimits {
    /// Bytes of request line and headers.
    static let head = 64 * 1024
    /// Bytes of body; a larger `Content-Length` gets 413.
    static let body = 1024 * 1024
}

/// Why a request could not be read: either the peer went away, or it gets this error response.
enum RequestFailure: Error {
    case closed
    case rejected(APIError)
}

extension Connection {
    /// Reads one request. Answers `Expect: 100-continue` before reading the body, as curl waits for it.
    func readRequest() throws(RequestFailure) -> RecordedRequest {
        var buffer: [UInt8] = []
        var headEnd: Int?
        var searchFrom = 0
        while headEnd == nil {
            guard let piece = receive() else { throw .closed }
            buffer += piece
            headEnd = Self.blankLine(in: buffer, from: searchFrom)
            searchFrom = max(0, buffer.count - 3)
            if headEnd == nil && buffer.count > RequestLimits.head {
                throw .rejected(APIError(status: 431, message: "Request header fields too large.",
                                         type: "invalid_request_error"))
            }
        }
        var request = try Self.parseHead(buffer[..<headEnd!])
        if request.header("Transfer-Encoding") != nil {
            throw .rejected(APIError(status: 411, message: "A Content-Length header is required.",
                                     type: "invalid_request_error"))
        }
        let lengthText = request.header("Content-Length") ?? "0"
        guard let length = Int(lengthText), length >= 0 else {
            throw .rejected(.badRequest("Invalid Content-Length header: \(lengthText)"))
        }
        guard length <= RequestLimits.body else {
            let message = "Request body of \(length) bytes exceeds the limit of \(RequestLimits.body) bytes."
            throw .rejected(APIError(status: 413, message: message, type: "invalid_request_error"))
        }
        var body = Array(buffer[(headEnd! + 4)...])
        if body.count < length, request.header("Expect")?.lowercased() == "100-continue" {
            guard send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { throw .closed }
        }
        while body.count < length {
            guard let piece = receive() else { throw .closed }
            body += piece
        }
        request.body = Array(body.prefix(length))
        request.json = request.body.isEmpty ? nil : try? JSONValue.parse(request.body)
        return request
    }

    /// The offset of the `\r\n\r\n` that ends the head.
    private static func blankLine(in buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        let separator: [UInt8] = [13, 10, 13, 10]
        return (start...(buffer.count - 4)).first { buffer[$0..<$0 + 4].elementsEqual(separator) }
    }

    private static func parseHead(_ head: ArraySlice<UInt8>) throws(RequestFailure) -> RecordedRequest {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            throw .rejected(.badRequest("Malformed request line."))
        }
        var headers: [RecordedRequest.Header] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                throw .rejected(.badRequest("Malformed header line."))
            }
            headers.append(.init(name: String(line[..<colon]), value: trimmed(line[line.index(after: colon)...])))
        }
        let target = parts[1]
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? target
        return RecordedRequest(method: String(parts[0]), path: String(path), headers: headers, body: [], json: nil)
    }
}

/// `text` without leading and trailing spaces and tabs.
func trimmed(_ text: Substring) -> String {
    String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
}
