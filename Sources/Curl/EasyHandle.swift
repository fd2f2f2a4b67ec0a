// One easy handle: its options, its header list and its error buffer. Its raw libcurl calls go through `LibCurl`
// (LibCurl.swift, which also states libcurl's threading rule); an easy handle is used by one thread at a time.
internal import CCurl

/// One `CURL *` easy handle with the memory libcurl keeps pointers into (error buffer, header list), released
/// in `deinit`. Internal: `CurlTransfer` owns one, and a future multi handle will add it by `pointer`.
final class EasyHandle {
    /// The `CURL *`.
    let pointer: UnsafeMutableRawPointer
    /// The library, loaded.
    let curl: LibCurl
    /// `CURLOPT_ERRORBUFFER`: curl writes a NUL-terminated message here when a transfer fails.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// `CURLOPT_HTTPHEADER`: curl reads it during the transfer, so it lives as long as the handle.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The URL, for error messages.
    private var url = ""

    /// `curl_easy_init`, after making sure libcurl is loaded and `curl_global_init` has run.
    init() throws(CurlError) {
        curl = try LibCurl.shared()
        guard let pointer = curl.easyInit() else {
            throw CurlError(code: .failedInit, message: "curl_easy_init failed", url: "")
        }
        self.pointer = pointer
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl.easyCleanup(pointer)
        curl.slistFreeAll(headerList)
        errorBuffer.deallocate()
    }

    /// Sets every option `request` asks for with `curl_easy_setopt` (through `quarry_curl_setopt_*`), plus the
    /// ones Quarry always wants: no signals, http/https only, an error buffer.
    func configure(_ request: CurlRequest) throws(CurlError) {
        url = request.url
        guard !request.url.utf8.contains(0) else {
            throw CurlError(code: .urlMalformat, message: "the URL contains a NUL byte", url: url)
        }
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        try set(CURLOPT_MAXREDIRS, 5)
        try set(CURLOPT_CONNECTTIMEOUT_MS, max(request.connectTimeout.curlMilliseconds, 1))
        try set(CURLOPT_TIMEOUT_MS, request.timeout.map { max($0.curlMilliseconds, 1) } ?? 0)
        try set(CURLOPT_LOW_SPEED_LIMIT, max(request.lowSpeedLimit, 0))
        try set(CURLOPT_LOW_SPEED_TIME, (request.lowSpeedTime.curlMilliseconds + 999) / 1000)
        var headers = request.headers
        switch request.method {
        case .get:
            guard request.body == nil else {
                throw CurlError(code: .badFunctionArgument, message: "a GET request cannot have a body", url: url)
            }
            try set(CURLOPT_HTTPGET, 1)
        case .post:
            try set(CURLOPT_POST, 1)
            let body = request.body ?? []
            // The size first, so COPYPOSTFIELDS copies exactly these bytes (NULs included) rather than a C string.
            try check(curl.setopt(pointer, CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count)))
            // A non-empty array, so there is always an address to hand over (curl copies zero bytes of it).
            let storage = body.isEmpty ? [0] : body
            try check(storage.withUnsafeBytes { bytes in
                let data = UnsafeMutableRawPointer(mutating: bytes.baseAddress!)
                return curl.setopt(pointer, CURLOPT_COPYPOSTFIELDS, pointer: data)
            })
            // No `Expect: 100-continue` round trip before a large body: OpenAI-compatible servers answer at once.
            if !headers.contains(where: { $0.matches("Expect") }) { headers.append(CurlHeader("Expect", "")) }
        }
        try setHeaders(headers)
    }

    /// Points the write, header and progress callbacks at `target` (`CURLOPT_WRITEFUNCTION`/`WRITEDATA`,
    /// `HEADERFUNCTION`/`HEADERDATA`, `XFERINFOFUNCTION`/`XFERINFODATA`, `NOPROGRESS` 0).
    func setCallbacks(target: UnsafeMutableRawPointer) throws(CurlError) {
        try check(curl.setopt(pointer, CURLOPT_WRITEFUNCTION, write: curlWriteCallback))
        try set(CURLOPT_WRITEDATA, pointer: target)
        try check(curl.setopt(pointer, CURLOPT_HEADERFUNCTION, write: curlHeaderCallback))
        try set(CURLOPT_HEADERDATA, pointer: target)
        try check(curl.setopt(pointer, progress: curlProgressCallback))
        try set(CURLOPT_XFERINFODATA, pointer: target)
        try set(CURLOPT_NOPROGRESS, 0)
    }

    /// Runs the transfer to its end on this thread (`curl_easy_perform`); returns the raw code for the caller to
    /// interpret (a cancelled transfer fails in its own way).
    func perform() -> CurlError.Code {
        errorBuffer[0] = 0
        return CurlError.Code(curl.easyPerform(pointer))
    }

    /// The last response's status (`CURLINFO_RESPONSE_CODE`), 0 if none arrived.
    var responseCode: Int {
        var value = 0
        return curl.getinfo(pointer, CURLINFO_RESPONSE_CODE, long: &value) == CURLE_OK ? value : 0
    }

    /// The `errno` of the last failed connect (`CURLINFO_OS_ERRNO`).
    var systemErrno: Int32 {
        var value = 0
        return curl.getinfo(pointer, CURLINFO_OS_ERRNO, long: &value) == CURLE_OK ? Int32(clamping: value) : 0
    }

    /// The `CurlError` for a failed `perform()`, with the error buffer's message.
    func error(for code: CurlError.Code) -> CurlError {
        let buffered = String(cString: errorBuffer)
        return CurlError(
            code: code, message: buffered.isEmpty ? describe(code) : buffered, url: url,
            systemErrno: code == .couldntConnect ? systemErrno : 0
        )
    }

    /// libcurl's text for a code (`curl_easy_strerror`).
    func describe(_ code: CurlError.Code) -> String { LibCurl.describe(code) }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(curl.setopt(pointer, option, long: value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        // String options are copied by libcurl (since 7.17), so a temporary C string is enough.
        try check(value.withCString { curl.setopt(pointer, option, string: $0) })
    }

    private func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer) throws(CurlError) {
        try check(curl.setopt(pointer, option, pointer: value))
    }

    /// Builds the header list with `curl_slist_append` and sets it (`CURLOPT_HTTPHEADER`). A header with an empty
    /// value goes to curl as `Name;`, which it sends as an empty header, except `Expect`, which goes as `Expect:`
    /// and so turns off curl's `Expect: 100-continue`.
    private func setHeaders(_ headers: [CurlHeader]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        // NUL, LF and CR would end the line early (header injection); a colon would end the name.
        let forbidden: Set<UInt8> = [0, 10, 13]
        for header in headers {
            guard !header.name.isEmpty, !header.name.utf8.contains(where: { forbidden.contains($0) || $0 == 58 }),
                !header.value.utf8.contains(where: forbidden.contains)
            else {
                curl.slistFreeAll(list)
                throw CurlError(code: .badFunctionArgument, message: "invalid header \(header.name)", url: url)
            }
            let line =
                switch (header.value.isEmpty, header.matches("Expect")) {
                case (false, _): "\(header.name): \(header.value)"
                case (true, false): "\(header.name);"
                case (true, true): "Expect:"  // removes curl's own `Expect: 100-continue`
                }
            guard let appended = curl.slistAppend(list, line) else {
                curl.slistFreeAll(list)
                throw CurlError(code: .outOfMemory, message: "curl_slist_append failed", url: url)
            }
            list = appended
        }
        curl.slistFreeAll(headerList)
        headerList = list
        try check(curl.setopt(pointer, CURLOPT_HTTPHEADER, list: list))
    }

    /// Throws unless `code` is `CURLE_OK`.
    private func check(_ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        let code = CurlError.Code(code)
        throw CurlError(code: code, message: describe(code), url: url)
    }
}
