// HTTP requests and responses as plain values: the routing logic works on these, the libwebsockets layer only
// reads headers into an HTTPRequest and writes an HTTPResponse out.

/// What the server needs of an HTTP request.
struct HTTPRequest: Sendable {
    /// `GET`, `HEAD`, or whatever else the client said.
    var method: String
    /// The path, without the query.
    var path: String
    /// `Accept-Encoding`, if sent.
    var acceptEncoding: String?
    /// `If-None-Match`, if sent.
    var ifNoneMatch: String?
    /// `Cookie`, if sent.
    var cookie: String?
    /// `Host`, if sent.
    var host: String?
    /// `Accept-Language`, if sent: the language the page is in, unless the server's is fixed.
    var acceptLanguage: String?
    /// `Sec-Fetch-Site`, if sent: whose page the request came from (`same-origin`, `same-site`, `cross-site`, or
    /// `none` for an address typed or bookmarked).
    var fetchSite: String? = nil
    /// Whether the page was asked for over HTTPS (`ServiceLoop.isSecureRequest`): the session cookie is then
    /// `Secure`.
    var secure = false
    /// The client's address (a trusted proxy's client's), for limits.
    var peer = ""
    /// Who sent it (`Access.visitor`).
    var visitor: Visitor = .browser(nil)
    /// A posted form's fields, once its body has been read; nil for a request without one.
    var form: [String: String]? = nil
}

/// An HTTP response ready to write (also the failure of a check that answers a request itself).
struct HTTPResponse: Sendable, Error {
    /// The status code.
    var status: Int
    /// The `Content-Type`.
    var contentType: String
    /// Further headers, names in lower case.
    var headers: [(name: String, value: String)]
    /// The body (empty for HEAD and 304, whose Content-Length still describes the full body).
    var body: [UInt8]
    /// The `Content-Length` to announce.
    var contentLength: Int
    /// Whether the connection should close after this response.
    var closeAfter = false

    init(status: Int, contentType: String, headers: [(name: String, value: String)] = [], body: [UInt8],
         closeAfter: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.contentLength = body.count
        self.closeAfter = closeAfter
    }

    /// The same response, the connection closed after it (a refused request whose body is not read).
    var closing: HTTPResponse {
        var response = self
        response.closeAfter = true
        return response
    }

    /// A short plain-text response, for errors.
    static func text(_ status: Int, _ message: String, headers: [(name: String, value: String)] = [],
                     closeAfter: Bool = false) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", headers: headers,
                     body: Array((message + "\n").utf8), closeAfter: closeAfter)
    }
}

/// Headers every response carries.
enum SecurityHeaders {
    /// No inline script or style, nothing from another origin, no framing.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let all: [(name: String, value: String)] = [
        ("content-security-policy", contentSecurityPolicy),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
    ]
}
