internal import CCurl

/// A transfer that did not complete: libcurl's result code, its raw message for the log, and a sentence for the
/// person at the kiosk (`description`).
///
/// A non-2xx HTTP status is not a `CurlError`: the transfer worked, and `CurlResponse.status` says what the
/// server answered.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A libcurl `CURLcode`, with names for the ones callers handle.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric `CURLcode`.
        public let rawValue: Int

        /// A code from its numeric `CURLcode`.
        public init(rawValue: Int) { self.rawValue = rawValue }

        init(_ code: CURLcode) { rawValue = Int(code.rawValue) }

        /// `CURLE_OK`: not an error; what a successful `curl_easy_perform` returns.
        static let ok = Code(CURLE_OK)

        /// `CURLE_UNSUPPORTED_PROTOCOL`: not `http` or `https` (or a redirect to something else).
        public static let unsupportedProtocol = Code(CURLE_UNSUPPORTED_PROTOCOL)
        /// `CURLE_FAILED_INIT`: libcurl could not start (`curl_global_init` or `curl_easy_init` failed).
        public static let failedInit = Code(CURLE_FAILED_INIT)
        /// `CURLE_URL_MALFORMAT`: the URL cannot be parsed.
        public static let urlMalformat = Code(CURLE_URL_MALFORMAT)
        /// `CURLE_COULDNT_RESOLVE_HOST`: DNS found no such host.
        public static let couldntResolveHost = Code(CURLE_COULDNT_RESOLVE_HOST)
        /// `CURLE_COULDNT_CONNECT`: the TCP connection failed (refused, unreachable).
        public static let couldntConnect = Code(CURLE_COULDNT_CONNECT)
        /// `CURLE_WEIRD_SERVER_REPLY`: the reply is not HTTP.
        public static let weirdServerReply = Code(CURLE_WEIRD_SERVER_REPLY)
        /// `CURLE_HTTP2`: an HTTP/2 framing error.
        public static let http2 = Code(CURLE_HTTP2)
        /// `CURLE_PARTIAL_FILE`: the body ended before its announced length.
        public static let partialFile = Code(CURLE_PARTIAL_FILE)
        /// `CURLE_WRITE_ERROR`: the write callback refused data (what `cancel()` does mid-body).
        public static let writeError = Code(CURLE_WRITE_ERROR)
        /// `CURLE_OUT_OF_MEMORY`.
        public static let outOfMemory = Code(CURLE_OUT_OF_MEMORY)
        /// `CURLE_OPERATION_TIMEDOUT`: a connect, low-speed or total timeout expired.
        public static let operationTimedout = Code(CURLE_OPERATION_TIMEDOUT)
        /// `CURLE_SSL_CONNECT_ERROR`: the TLS handshake failed.
        public static let sslConnectError = Code(CURLE_SSL_CONNECT_ERROR)
        /// `CURLE_ABORTED_BY_CALLBACK`: the progress callback stopped the transfer (what `cancel()` does between
        /// pieces of body).
        public static let abortedByCallback = Code(CURLE_ABORTED_BY_CALLBACK)
        /// `CURLE_BAD_FUNCTION_ARGUMENT`: an option value curl (or this wrapper) refused, e.g. a header with a
        /// line break.
        public static let badFunctionArgument = Code(CURLE_BAD_FUNCTION_ARGUMENT)
        /// `CURLE_TOO_MANY_REDIRECTS`.
        public static let tooManyRedirects = Code(CURLE_TOO_MANY_REDIRECTS)
        /// `CURLE_GOT_NOTHING`: the server closed the connection without a reply.
        public static let gotNothing = Code(CURLE_GOT_NOTHING)
        /// `CURLE_SEND_ERROR`: sending failed (connection reset).
        public static let sendError = Code(CURLE_SEND_ERROR)
        /// `CURLE_RECV_ERROR`: receiving failed (connection reset).
        public static let recvError = Code(CURLE_RECV_ERROR)
        /// `CURLE_PEER_FAILED_VERIFICATION`: the server's certificate is not trusted for its name.
        public static let peerFailedVerification = Code(CURLE_PEER_FAILED_VERIFICATION)
        /// `CURLE_HTTP2_STREAM`: the HTTP/2 stream was reset.
        public static let http2Stream = Code(CURLE_HTTP2_STREAM)

        /// Lets `catch CurlError.Code.couldntConnect` match a `CurlError` with that code.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? CurlError)?.code == code
        }

        /// libcurl's name for the code (`curl_easy_strerror`), e.g. "Couldn't connect to server".
        public var description: String { LibCurl.describe(self) }
    }

    /// libcurl's result code. When `isCancelled`, it is `writeError` or `abortedByCallback`.
    public let code: Code
    /// Whether `CurlTransfer.cancel()` stopped the transfer; the description then says so and nothing else.
    public let isCancelled: Bool
    /// The raw cause for the log: curl's error buffer (`CURLOPT_ERRORBUFFER`), else `curl_easy_strerror`.
    public let message: String
    /// The request's URL.
    public let url: String
    /// The `errno` of the last failed connect (`CURLINFO_OS_ERRNO`), 0 if none.
    public let systemErrno: Int32

    init(code: Code, message: String, url: String, systemErrno: Int32 = 0, isCancelled: Bool = false) {
        self.code = code
        self.message = message
        self.url = url
        self.systemErrno = systemErrno
        self.isCancelled = isCancelled
    }

    /// The error for a transfer stopped by `cancel()`.
    static func cancelled(code: Code, url: String) -> CurlError {
        CurlError(code: code, message: "cancelled", url: url, isCancelled: true)
    }

    /// For the log: `curl error 7 (Couldn't connect to server) for <url>: <error buffer>`.
    public var debugDescription: String {
        "curl error \(code.rawValue) (\(code))\(isCancelled ? ", cancelled" : "") for \(url): \(message)"
    }
}
