// Every raw libcurl call of this module, and the dlopen that finds them.
//
// libcurl is loaded the first time a transfer or a multi handle needs it (`dlopen("libcurl.so.4")`), not when the
// process starts: with its dependency tree (nghttp2, ssh2, rtmp, gnutls, krb5, ldap, sasl, psl, idn2, brotli…) it
// keeps about 3.5 MiB of pages resident, and a server with no model configured, or one nobody has asked yet, never
// needs it (docs/performance.md, "Reading the figures"). The binary does not link it; the Debian package depends on
// libcurl4 by name (tools/package).
//
// Threading rule (libcurl 7.88, OpenSSL):
// - `curl_global_init` runs once, before any other libcurl call: `LibCurl.loaded` is a Swift static, whose
//   initializer (dlopen, dlsym, curl_global_init) runs exactly once, thread-safely. libcurl ≥ 7.84 built with
//   atomics (Debian's is: `CURL_VERSION_THREADSAFE`) makes `curl_global_init` itself thread-safe, so running it
//   after other threads have started is fine.
// - An easy handle is used by one thread at a time, and its callbacks run on that thread (inside
//   `curl_easy_perform`, or inside the one thread that drives a multi handle). Nothing here locks.
// - `CURLOPT_NOSIGNAL` is set on every handle: libcurl must not use signals (SIGALRM for DNS timeouts) in a
//   multi-threaded process.
internal import CCurl
internal import CShim
internal import SharedLibrary

/// libcurl's functions, found once with `dlopen`/`dlsym`. Each method makes one raw call.
struct LibCurl: @unchecked Sendable {
    // @unchecked: immutable C function pointers.

    /// The library's soname: what `-lcurl` would have recorded as NEEDED.
    static let soname = "libcurl.so.4"

    /// libcurl, loaded and `curl_global_init(CURL_GLOBAL_DEFAULT)` run, or why not; computed once for the process.
    static let loaded: Result<LibCurl, CurlError> = Result { () throws(CurlError) in try LibCurl() }

    /// libcurl's text for a code (`curl_easy_strerror`), or its number if libcurl could not be loaded.
    static func describe(_ code: CurlError.Code) -> String {
        guard case .success(let curl) = loaded else { return "CURLcode \(code.rawValue)" }
        return curl.easyStrerror(CURLcode(UInt32(truncatingIfNeeded: code.rawValue)))
    }

    /// The loaded library, loading it if no call has yet.
    /// - Throws: `CurlError` (`.failedInit`) if libcurl is missing or `curl_global_init` failed.
    static func shared() throws(CurlError) -> LibCurl { try loaded.get() }

    private let easyInitFunction: @convention(c) () -> UnsafeMutableRawPointer?
    private let easyCleanupFunction: @convention(c) (UnsafeMutableRawPointer?) -> Void
    private let easyPerformFunction: @convention(c) (UnsafeMutableRawPointer?) -> CURLcode
    private let easyStrerrorFunction: @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    private let easySetoptFunction: UnsafeMutableRawPointer
    private let easyGetinfoFunction: UnsafeMutableRawPointer
    private let slistAppendFunction: @convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?)
        -> UnsafeMutablePointer<curl_slist>?
    private let slistFreeAllFunction: @convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void
    private let multiInitFunction: @convention(c) () -> UnsafeMutableRawPointer?
    private let multiCleanupFunction: @convention(c) (UnsafeMutableRawPointer?) -> CURLMcode
    private let multiAddHandleFunction: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> CURLMcode
    private let multiRemoveHandleFunction: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?)
        -> CURLMcode
    private let multiSocketActionFunction: @convention(c) (
        UnsafeMutableRawPointer?, curl_socket_t, Int32, UnsafeMutablePointer<Int32>?
    ) -> CURLMcode
    private let multiInfoReadFunction: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?)
        -> UnsafeMutablePointer<CURLMsg>?
    private let multiSetoptFunction: UnsafeMutableRawPointer

    /// `dlopen`s libcurl, finds every function this module calls, and runs `curl_global_init`.
    private init() throws(CurlError) {
        let library: SharedLibrary
        do { library = try SharedLibrary(Self.soname) } catch {
            throw CurlError(code: .failedInit, message: "libcurl could not be loaded (\(error.reason)); install libcurl4",
                            url: "")
        }
        func symbol(_ name: String) throws(CurlError) -> UnsafeMutableRawPointer {
            do { return try library.address(name) } catch {
                throw CurlError(code: .failedInit, message: error.reason, url: "")
            }
        }
        func function<F>(_ name: String, as type: F.Type) throws(CurlError) -> F {
            unsafeBitCast(try symbol(name), to: type)
        }
        easyInitFunction = try function("curl_easy_init", as: (@convention(c) () -> UnsafeMutableRawPointer?).self)
        easyCleanupFunction = try function("curl_easy_cleanup", as: type(of: easyCleanupFunction))
        easyPerformFunction = try function("curl_easy_perform", as: type(of: easyPerformFunction))
        easyStrerrorFunction = try function("curl_easy_strerror", as: type(of: easyStrerrorFunction))
        easySetoptFunction = try symbol("curl_easy_setopt")
        easyGetinfoFunction = try symbol("curl_easy_getinfo")
        slistAppendFunction = try function("curl_slist_append", as: type(of: slistAppendFunction))
        slistFreeAllFunction = try function("curl_slist_free_all", as: type(of: slistFreeAllFunction))
        multiInitFunction = try function("curl_multi_init", as: type(of: multiInitFunction))
        multiCleanupFunction = try function("curl_multi_cleanup", as: type(of: multiCleanupFunction))
        multiAddHandleFunction = try function("curl_multi_add_handle", as: type(of: multiAddHandleFunction))
        multiRemoveHandleFunction = try function("curl_multi_remove_handle", as: type(of: multiRemoveHandleFunction))
        multiSocketActionFunction = try function("curl_multi_socket_action", as: type(of: multiSocketActionFunction))
        multiInfoReadFunction = try function("curl_multi_info_read", as: type(of: multiInfoReadFunction))
        multiSetoptFunction = try symbol("curl_multi_setopt")
        let globalInit = try function("curl_global_init", as: (@convention(c) (Int) -> CURLcode).self)
        let result = globalInit(Int(CURL_GLOBAL_DEFAULT))
        guard result == CURLE_OK else {
            let code = CurlError.Code(result)
            throw CurlError(code: code, message: "curl_global_init failed (\(code.rawValue))", url: "")
        }
    }

    // MARK: Easy handles

    /// `curl_easy_init`.
    func easyInit() -> UnsafeMutableRawPointer? { easyInitFunction() }
    /// `curl_easy_cleanup`.
    func easyCleanup(_ easy: UnsafeMutableRawPointer) { easyCleanupFunction(easy) }
    /// `curl_easy_perform`.
    func easyPerform(_ easy: UnsafeMutableRawPointer) -> CURLcode { easyPerformFunction(easy) }
    /// `curl_easy_strerror`.
    func easyStrerror(_ code: CURLcode) -> String { easyStrerrorFunction(code).map { String(cString: $0) } ?? "" }

    /// `curl_easy_setopt` with a `long` (through `quarry_curl_setopt_long`: the function is variadic).
    func setopt(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, long value: Int) -> CURLcode {
        quarry_curl_setopt_long(easySetoptFunction, easy, option, value)
    }
    /// `curl_easy_setopt` with a `curl_off_t`.
    func setopt(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, offset value: curl_off_t) -> CURLcode {
        quarry_curl_setopt_off(easySetoptFunction, easy, option, value)
    }
    /// `curl_easy_setopt` with a C string (libcurl copies string options since 7.17).
    func setopt(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, string value: UnsafePointer<CChar>) -> CURLcode {
        quarry_curl_setopt_string(easySetoptFunction, easy, option, value)
    }
    /// `curl_easy_setopt` with a pointer.
    func setopt(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, pointer value: UnsafeMutableRawPointer?) -> CURLcode {
        quarry_curl_setopt_pointer(easySetoptFunction, easy, option, value)
    }
    /// `curl_easy_setopt` with a header list.
    func setopt(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) -> CURLcode {
        quarry_curl_setopt_slist(easySetoptFunction, easy, option, list)
    }
    /// `curl_easy_setopt` with a write or header callback.
    func setopt(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, write callback: curl_write_callback) -> CURLcode {
        quarry_curl_setopt_write_function(easySetoptFunction, easy, option, callback)
    }
    /// `curl_easy_setopt(CURLOPT_XFERINFOFUNCTION)`.
    func setopt(_ easy: UnsafeMutableRawPointer, progress callback: curl_xferinfo_callback) -> CURLcode {
        quarry_curl_setopt_xferinfo_function(easySetoptFunction, easy, callback)
    }
    /// `curl_easy_getinfo` of a `long`.
    func getinfo(_ easy: UnsafeMutableRawPointer, _ info: CURLINFO, long value: inout Int) -> CURLcode {
        quarry_curl_getinfo_long(easyGetinfoFunction, easy, info, &value)
    }

    /// `curl_slist_append`.
    func slistAppend(_ list: UnsafeMutablePointer<curl_slist>?, _ line: String) -> UnsafeMutablePointer<curl_slist>? {
        slistAppendFunction(list, line)
    }
    /// `curl_slist_free_all`.
    func slistFreeAll(_ list: UnsafeMutablePointer<curl_slist>?) { slistFreeAllFunction(list) }

    // MARK: Multi handles

    /// `curl_multi_init`.
    func multiInit() -> UnsafeMutableRawPointer? { multiInitFunction() }
    /// `curl_multi_cleanup`.
    func multiCleanup(_ multi: UnsafeMutableRawPointer) { _ = multiCleanupFunction(multi) }
    /// `curl_multi_add_handle`.
    func multiAdd(_ multi: UnsafeMutableRawPointer, _ easy: UnsafeMutableRawPointer) -> CURLMcode {
        multiAddHandleFunction(multi, easy)
    }
    /// `curl_multi_remove_handle`.
    func multiRemove(_ multi: UnsafeMutableRawPointer, _ easy: UnsafeMutableRawPointer) -> CURLMcode {
        multiRemoveHandleFunction(multi, easy)
    }
    /// `curl_multi_socket_action`.
    func multiSocketAction(_ multi: UnsafeMutableRawPointer, _ socket: curl_socket_t, _ mask: Int32,
                           _ running: inout Int32) -> CURLMcode {
        multiSocketActionFunction(multi, socket, mask, &running)
    }
    /// `curl_multi_info_read`.
    func multiInfoRead(_ multi: UnsafeMutableRawPointer, _ queued: inout Int32) -> UnsafeMutablePointer<CURLMsg>? {
        multiInfoReadFunction(multi, &queued)
    }
    /// `curl_multi_setopt` with a pointer.
    func multiSetopt(_ multi: UnsafeMutableRawPointer, _ option: CURLMoption, pointer value: UnsafeMutableRawPointer?)
        -> CURLMcode {
        quarry_curl_multi_setopt_pointer(multiSetoptFunction, multi, option, value)
    }
    /// `curl_multi_setopt(CURLMOPT_SOCKETFUNCTION)`.
    func multiSetopt(_ multi: UnsafeMutableRawPointer, socket callback: curl_socket_callback) -> CURLMcode {
        quarry_curl_multi_setopt_socket_function(multiSetoptFunction, multi, callback)
    }
    /// `curl_multi_setopt(CURLMOPT_TIMERFUNCTION)`.
    func multiSetopt(_ multi: UnsafeMutableRawPointer, timer callback: curl_multi_timer_callback) -> CURLMcode {
        quarry_curl_multi_setopt_timer_function(multiSetoptFunction, multi, callback)
    }
}
