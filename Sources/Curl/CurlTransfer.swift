internal import Synchronization

/// One HTTP request and its streamed response over a libcurl easy handle.
///
/// Create it with the request and two closures, then call `perform()` once: it blocks the calling thread until
/// the response is complete, calling `onResponse` once the final response's headers are in (before the first
/// piece of body) and `onBody` with each piece of body as it arrives from the network, in order. A non-2xx status
/// is an ordinary response, not an error.
///
/// Threading: `perform()` runs once, on one thread, and both closures run on that thread (so they are
/// `@Sendable`: it need not be the thread that made the transfer). `cancel()` may be called from any thread at
/// any time; the transfer then stops at the next piece of body or progress check (libcurl checks progress
/// at least once a second even while the server sends nothing) and `perform()` throws a `CurlError` whose `isCancelled` is true. Because
/// `perform()` blocks, call it from a dedicated thread rather than from Swift concurrency's cooperative pool.
public final class CurlTransfer: @unchecked Sendable {
    // @unchecked: `easy`, `head` and `headPublished` are touched only by the one thread running `perform()`
    // (which `performing` admits once) and the callbacks it runs; the flags are atomics; the rest is immutable.

    /// The request this transfer sends.
    public let request: CurlRequest
    let easy: EasyHandle
    private let onResponse: @Sendable (CurlResponse) -> Void
    private let onBody: @Sendable ([UInt8]) -> Void
    private let cancelled = Atomic<Bool>(false)
    private let performing = Atomic<Bool>(false)
    private var head = ResponseHeadParser()

    /// Asked regularly while the transfer runs in a `CurlMulti`, on its thread: false stops the transfer (it
    /// completes as cancelled). For deadlines libcurl does not know, such as the time to an answer's first
    /// token. Set it before starting the transfer.
    public var watchdog: (@Sendable () -> Bool)?
    private var headPublished: CurlResponse?

    /// Loads libcurl and runs `curl_global_init` now, if no call has yet. Optional: the first transfer does it too.
    /// - Throws: `CurlError` (`.failedInit`) if libcurl is missing or would not start.
    public static func initializeLibrary() throws(CurlError) {
        _ = try LibCurl.shared()
    }

    /// A transfer of `request`, configured on a fresh easy handle (`curl_easy_init`, `curl_easy_setopt`).
    /// - Parameters:
    ///   - onResponse: called once with the final response's status and headers, before its body.
    ///   - onBody: called with each piece of the response body, as it arrives.
    /// - Throws: `CurlError` when libcurl refuses an option (an invalid header, a GET with a body).
    public init(
        _ request: CurlRequest,
        onResponse: @escaping @Sendable (CurlResponse) -> Void = { _ in },
        onBody: @escaping @Sendable ([UInt8]) -> Void
    ) throws(CurlError) {
        self.request = request
        self.onResponse = onResponse
        self.onBody = onBody
        easy = try EasyHandle()
        try easy.configure(request)
        try easy.setCallbacks(target: Unmanaged.passUnretained(self).toOpaque())
    }

    /// Sends the request and receives the whole response on this thread (`curl_easy_perform`).
    /// - Returns: the final response's status and headers (its body went to `onBody`).
    /// - Throws: `CurlError`: a transport failure (refused, timed out, cut off…) or `isCancelled`.
    /// - Precondition: called at most once per transfer.
    public func perform() throws(CurlError) -> CurlResponse {
        let first = performing.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        precondition(first.exchanged, "a CurlTransfer performs once")
        guard !isCancelled else { throw .cancelled(code: .abortedByCallback, url: request.url) }
        return try finish(easy.perform())
    }

    /// The outcome of a transfer libcurl reports as done with `code`: the response, or the error. Separate from
    /// `perform()` so that a multi handle driving many transfers can finish each one the same way.
    func finish(_ code: CurlError.Code) throws(CurlError) -> CurlResponse {
        if code != .ok {
            if isCancelled && (code == .writeError || code == .abortedByCallback) {
                throw .cancelled(code: code, url: request.url)
            }
            throw easy.error(for: code)
        }
        return publishHead()
    }

    /// Asks the transfer to stop; safe from any thread, and from inside the closures.
    public func cancel() {
        cancelled.store(true, ordering: .releasing)
    }

    /// Whether `cancel()` has been called.
    public var isCancelled: Bool {
        cancelled.load(ordering: .acquiring)
    }

    // MARK: Called from the C callbacks, on the performing thread

    /// A piece of body: hands it on unless cancelled; false stops the transfer.
    func didReceiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !isCancelled else { return false }
        publishHead()
        onBody(Array(bytes))
        // Checked again so that a cancel from inside `onBody` stops the transfer at once.
        return !isCancelled
    }

    /// One header line; lines after the body has started (chunked trailers) are ignored.
    func didReceiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !isCancelled else { return false }
        if headPublished == nil {
            head.consume(String(decoding: bytes, as: UTF8.self))
        }
        return true
    }

    /// Hands the response head to `onResponse` the first time; returns it every time.
    @discardableResult
    private func publishHead() -> CurlResponse {
        if let published = headPublished { return published }
        var response = head.response
        // libcurl accepted a status line this parser could not read: ask libcurl (`CURLINFO_RESPONSE_CODE`).
        if response.status == 0 { response.status = easy.responseCode }
        headPublished = response
        onResponse(response)
        return response
    }
}
