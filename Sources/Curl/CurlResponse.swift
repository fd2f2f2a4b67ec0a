/// The status line and headers of the final HTTP response (not of `100 Continue` or a followed redirect).
public struct CurlResponse: Sendable, Equatable {
    /// The status code, e.g. 200 or 429.
    public var status: Int
    /// The response headers in the order received; trailers after a chunked body are not included.
    public var headers: [CurlHeader]

    /// A response with `status` and `headers`.
    public init(status: Int, headers: [CurlHeader] = []) {
        self.status = status
        self.headers = headers
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The value of the first header named `name`, ignoring case; nil if there is none.
    public subscript(header name: String) -> String? {
        headers.first { $0.matches(name) }?.value
    }

    /// The values of every header named `name`, ignoring case, in order.
    public func values(forHeader name: String) -> [String] {
        headers.filter { $0.matches(name) }.map(\.value)
    }
}

/// Builds a `CurlResponse` from the header lines libcurl hands the header callback, one at a time.
///
/// A status line (`HTTP/1.1 200 OK`, `HTTP/2 429`) starts a new response, so the headers of an interim `100
/// Continue` or of a followed redirect are dropped when the next one begins.
struct ResponseHeadParser {
    private(set) var status = 0
    private(set) var headers: [CurlHeader] = []

    /// Takes one raw line, with or without its CRLF.
    mutating func consume(_ line: String) {
        var text = Substring(line)
        while let last = text.last, last == "\r\n" || last == "\n" || last == "\r" {
            text = text.dropLast()
        }
        if text.hasPrefix("HTTP/") {
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            headers = []
        } else if let first = text.first, first == " " || first == "\t", let previous = headers.indices.last {
            // An obsolete folded continuation line belongs to the header before it.
            headers[previous].value += " " + Self.trimmed(text)
        } else if let colon = text.firstIndex(of: ":") {
            headers.append(CurlHeader(String(text[..<colon]), Self.trimmed(text[text.index(after: colon)...])))
        }
        // The blank line ending a block, and anything unparseable, adds nothing.
    }

    var response: CurlResponse { CurlResponse(status: status, headers: headers) }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
