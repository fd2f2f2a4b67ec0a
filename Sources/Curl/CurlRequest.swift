/// One HTTP header: a name and its value, as sent or received.
public struct CurlHeader: Sendable, Hashable, CustomStringConvertible {
    /// The field name, as written (compare with `matches(_:)`, which ignores case).
    public var name: String
    /// The field value, without surrounding spaces.
    public var value: String

    /// A header with `name` and `value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether this header's name is `name`, ignoring ASCII case as HTTP does.
    public func matches(_ name: String) -> Bool {
        self.name.utf8.count == name.utf8.count
            && zip(self.name.utf8, name.utf8).allSatisfy { Self.lowercased($0) == Self.lowercased($1) }
    }

    /// `Name: value`.
    public var description: String { "\(name): \(value)" }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

/// What to fetch and how: the options a `CurlTransfer` sets on its easy handle.
///
/// Only `http` and `https` URLs are allowed (`CURLOPT_PROTOCOLS_STR`), and redirects are not followed unless
/// `followRedirects` is set (then only to `http`/`https`, at most five).
public struct CurlRequest: Sendable {
    /// The HTTP method.
    public enum Method: String, Sendable {
        /// `GET` (`CURLOPT_HTTPGET`); a request with this method has no body.
        case get = "GET"
        /// `POST` (`CURLOPT_POST`) with `body`, copied into curl (`CURLOPT_COPYPOSTFIELDS`).
        case post = "POST"
    }

    /// The absolute `http` or `https` URL (`CURLOPT_URL`).
    public var url: String
    /// The method; `.get` unless told otherwise.
    public var method: Method
    /// Request headers in order (`CURLOPT_HTTPHEADER`). A name or value with a line break or NUL is refused.
    public var headers: [CurlHeader]
    /// The request body; only a `.post` may have one. A POST without a body sends `Content-Length: 0`.
    public var body: [UInt8]?
    /// How long connecting may take, DNS and TLS included (`CURLOPT_CONNECTTIMEOUT_MS`).
    public var connectTimeout: Duration
    /// Together with `lowSpeedTime`: the transfer fails (`operationTimedout`) when it moves fewer than this many
    /// bytes per second for that long (`CURLOPT_LOW_SPEED_LIMIT`). This, not a total timeout, is what catches a
    /// stream that stalls while an answer of unknown length is still arriving.
    public var lowSpeedLimit: Int
    /// See `lowSpeedLimit` (`CURLOPT_LOW_SPEED_TIME`, whole seconds, rounded up); zero turns the check off.
    public var lowSpeedTime: Duration
    /// A limit on the whole transfer (`CURLOPT_TIMEOUT_MS`); nil for none, the default, since streams run long.
    public var timeout: Duration?
    /// Whether to follow 3xx redirects (`CURLOPT_FOLLOWLOCATION`); off by default.
    public var followRedirects: Bool

    /// A request with the defaults: 10 s to connect, failing when under 1 byte/s for 120 s (a local model can
    /// think that long before its first token), no total timeout, no redirects.
    public init(
        url: String,
        method: Method = .get,
        headers: [CurlHeader] = [],
        body: [UInt8]? = nil,
        connectTimeout: Duration = .seconds(10),
        lowSpeedLimit: Int = 1,
        lowSpeedTime: Duration = .seconds(120),
        timeout: Duration? = nil,
        followRedirects: Bool = false
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.lowSpeedLimit = lowSpeedLimit
        self.lowSpeedTime = lowSpeedTime
        self.timeout = timeout
        self.followRedirects = followRedirects
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, for curl's `long` options; negative durations count as zero.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, rest) = attoseconds.quotientAndRemainder(dividingBy: 1_000_000_000_000_000)
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return Int.max }
        return Int(clamping: milliseconds.partialValue + whole + (rest > 0 ? 1 : 0))
    }
}
