// Every raw libldap call of this module lives in this file, and the dlopen that finds them.
//
// libldap is loaded the first time someone signs in (`dlopen("libldap-2.5.so.0")`), not when the process starts: it
// links GnuTLS, nettle, p11-kit and Cyrus SASL, pages an idle server in `none`, `proxy` or `password` mode has no use
// for. The binary does not link it; the Debian package depends on libldap-2.5-0 by name (tools/package). Without it
// a sign-in throws `LDAPError.unavailable`.
//
// Threading rule (OpenLDAP 2.5, where libldap_r and libldap are one thread-safe library): a connection handle
// (`LDAP *`) belongs to one thread at a time; separate handles may be used on separate threads at once. Quarry opens a
// handle per sign-in on the thread that checks it and closes it before returning, so nothing here is shared and
// `LDAPConnection` is not `Sendable`. The library's global state (its options, read from /etc/ldap/ldap.conf, and
// the TLS library's) is set up on first use; `LibLDAP.loaded` and `LibLDAP.tlsReady`, Swift statics, make that first
// use exactly once, before any handle needs it, so sign-ins racing each other never set it up twice.
//
// Only the synchronous calls are used (`ldap_sasl_bind_s`, `ldap_search_ext_s`, `ldap_start_tls_s`), each bounded by
// the handle's timeouts: `LDAP_OPT_NETWORK_TIMEOUT` for the TCP connect, `LDAP_OPT_TIMEOUT` for every answer, and the
// search's own time limit. Referrals are not chased (they would bind elsewhere with the same password), and TLS
// certificates are always demanded (`LDAP_OPT_X_TLS_REQUIRE_CERT`), whatever /etc/ldap/ldap.conf says.
internal import CLDAP
internal import SharedLibrary
#if canImport(Glibc)
internal import Glibc
#endif

/// `LDAPControl **`, which no call here passes.
typealias Controls = UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>

/// libldap's functions, found once with `dlopen`/`dlsym`.
struct LibLDAP: @unchecked Sendable {
    // @unchecked: immutable C function pointers.
    let initialize: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafePointer<CChar>?) -> Int32
    let setOption: @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?) -> Int32
    let getOption: @convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Int32
    let startTLS: @convention(c) (OpaquePointer?, Controls?, Controls?) -> Int32
    let saslBind: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                  UnsafeMutablePointer<berval>?, Controls?, Controls?,
                                  UnsafeMutablePointer<UnsafeMutablePointer<berval>?>?) -> Int32
    let searchExt: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?,
                                   UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32, Controls?, Controls?,
                                   UnsafeMutablePointer<timeval>?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    let firstEntry: @convention(c) (OpaquePointer?, OpaquePointer?) -> OpaquePointer?
    let nextEntry: @convention(c) (OpaquePointer?, OpaquePointer?) -> OpaquePointer?
    let getDN: @convention(c) (OpaquePointer?, OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let memFree: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let msgFree: @convention(c) (OpaquePointer?) -> Int32
    let unbind: @convention(c) (OpaquePointer?, Controls?, Controls?) -> Int32
    let errorString: @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    /// libldap, loaded, or why not; Swift runs a static initializer exactly once.
    static let loaded: Result<LibLDAP, LDAPError> = Result { () throws(LDAPError) in try LibLDAP() }

    /// `dlopen`s libldap and finds every function this module calls.
    private init() throws(LDAPError) {
        let library: SharedLibrary
        do { library = try SharedLibrary("libldap-2.5.so.0") } catch {
            throw .unavailable("libldap could not be loaded (\(error.reason)); install libldap-2.5-0")
        }
        func function<F>(_ name: String, as type: F.Type) throws(LDAPError) -> F {
            do { return try library.function(name, as: type) } catch { throw .unavailable(error.reason) }
        }
        initialize = try function("ldap_initialize", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?,
                                                                           UnsafePointer<CChar>?) -> Int32).self)
        setOption = try function("ldap_set_option", as: (@convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?)
                                                           -> Int32).self)
        getOption = try function("ldap_get_option", as: (@convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?)
                                                           -> Int32).self)
        startTLS = try function("ldap_start_tls_s", as: (@convention(c) (OpaquePointer?, Controls?, Controls?)
                                                           -> Int32).self)
        unbind = try function("ldap_unbind_ext_s", as: type(of: startTLS))
        saslBind = try function("ldap_sasl_bind_s", as: (@convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<berval>?, Controls?,
            Controls?, UnsafeMutablePointer<UnsafeMutablePointer<berval>?>?) -> Int32).self)
        searchExt = try function("ldap_search_ext_s", as: (@convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?,
            UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32, Controls?, Controls?,
            UnsafeMutablePointer<timeval>?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32).self)
        firstEntry = try function("ldap_first_entry", as: (@convention(c) (OpaquePointer?, OpaquePointer?)
                                                             -> OpaquePointer?).self)
        nextEntry = try function("ldap_next_entry", as: type(of: firstEntry))
        getDN = try function("ldap_get_dn", as: (@convention(c) (OpaquePointer?, OpaquePointer?)
                                                   -> UnsafeMutablePointer<CChar>?).self)
        memFree = try function("ldap_memfree", as: (@convention(c) (UnsafeMutableRawPointer?) -> Void).self)
        msgFree = try function("ldap_msgfree", as: (@convention(c) (OpaquePointer?) -> Int32).self)
        errorString = try function("ldap_err2string", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
        // The global first use (see the threading rule): reading an option initializes the library. Its result does
        // not matter here: each handle sets what it needs.
        var version: Int32 = 0
        _ = getOption(nil, LDAP_OPT_PROTOCOL_VERSION, &version)
    }

    /// The TLS library's global first use, once, before the first handle that uses TLS: a default TLS context
    /// initializes GnuTLS. Only then: the context holds the system's certificates (about 4 MiB resident), which a
    /// directory reached without TLS never needs.
    static let tlsReady: Void = {
        guard case .success(let ldap) = loaded else { return }
        var client: Int32 = 0
        _ = ldap.setOption(nil, LDAP_OPT_X_TLS_NEWCTX, &client)
    }()
}

/// One connection to a directory, for one sign-in: the libldap handle, unbound and freed in `deinit`.
final class LDAPConnection {
    private let ldap: LibLDAP
    private let handle: OpaquePointer
    private let timeout: timeval

    /// Opens a handle on `url` (`ldap_initialize`: one or more ldap:// or ldaps:// URLs separated by spaces, tried in
    /// turn), sets LDAPv3, the timeouts, no referrals and demanded certificates (`ldap_set_option`), and, with
    /// `startTLS`, upgrades the connection (`ldap_start_tls_s`; this first call connects). `caFile`: the certificates
    /// that sign the directory's, instead of the system's.
    init(url: String, timeout: Duration, startTLS: Bool, caFile: String?) throws(LDAPError) {
        ldap = try LibLDAP.loaded.get()
        let seconds = max(timeout, .milliseconds(1)).components
        self.timeout = timeval(tv_sec: Int(seconds.seconds), tv_usec: Int(seconds.attoseconds / 1_000_000_000_000))
        var made: OpaquePointer?
        let started = ldap.initialize(&made, url)
        guard started == LDAP_SUCCESS, let made else {
            throw .failed(operation: "ldap_initialize", code: started, message: Self.describe(ldap, started, nil))
        }
        handle = made
        var version: Int32 = LDAP_VERSION3
        try option(LDAP_OPT_PROTOCOL_VERSION, &version)
        var limit = self.timeout
        try option(LDAP_OPT_NETWORK_TIMEOUT, &limit)
        try option(LDAP_OPT_TIMEOUT, &limit)
        try check("ldap_set_option", ldap.setOption(handle, LDAP_OPT_REFERRALS, nil))  // LDAP_OPT_OFF is a null pointer
        if startTLS || url.contains("ldaps://") {
            LibLDAP.tlsReady
            var demand: Int32 = LDAP_OPT_X_TLS_DEMAND
            try option(LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)
            if let caFile {
                try check("ldap_set_option", caFile.withCString { ldap.setOption(handle, LDAP_OPT_X_TLS_CACERTFILE, $0) })
            }
            var client: Int32 = 0  // a new TLS context with the options above, for a client
            try option(LDAP_OPT_X_TLS_NEWCTX, &client)
        }
        if startTLS { try check("ldap_start_tls_s", ldap.startTLS(handle, nil, nil)) }
    }

    deinit {
        _ = ldap.unbind(handle, nil, nil)
    }

    /// A simple bind as `dn` with `password` (`ldap_sasl_bind_s`, `LDAP_SASL_SIMPLE`). The caller refuses an empty
    /// password first: the server would take it as an unauthenticated bind and succeed.
    func bind(dn: String, password: [UInt8]) throws(LDAPError) {
        precondition(!password.isEmpty, "an empty password is an unauthenticated bind")
        var copy = password.map { CChar(bitPattern: $0) }
        let code = copy.withUnsafeMutableBufferPointer { bytes in
            var credential = berval(bv_len: ber_len_t(bytes.count), bv_val: bytes.baseAddress)
            return ldap.saslBind(handle, dn, nil, &credential, nil, nil, nil)  // nil mechanism: LDAP_SASL_SIMPLE
        }
        for index in copy.indices { copy[index] = 0 }
        try check("ldap_sasl_bind_s", code)
    }

    /// The DNs of the entries `filter` finds under `base` (`ldap_search_ext_s` asking for no attributes, "1.1"), the
    /// whole subtree or the base entry alone. More than `sizeLimit` entries throw `LDAPError.sizeLimitExceeded`.
    func search(base: String, subtree: Bool, filter: String, sizeLimit: Int32) throws(LDAPError) -> [String] {
        var result: OpaquePointer?
        var limit = timeout
        let scope = subtree ? quarry_ldap_scope_subtree() : quarry_ldap_scope_base()
        let code = "1.1".withCString { noAttributes in
            var attributes: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: noAttributes), nil]
            return ldap.searchExt(handle, base, scope, filter, &attributes, 0, nil, nil, &limit, sizeLimit, &result)
        }
        defer { if let result { _ = ldap.msgFree(result) } }
        try check("ldap_search_ext_s", code)
        var names: [String] = []
        var entry = ldap.firstEntry(handle, result)
        while let found = entry {
            if let dn = ldap.getDN(handle, found) {
                names.append(String(cString: dn))
                ldap.memFree(dn)
            }
            entry = ldap.nextEntry(handle, found)
        }
        return names
    }

    private func option<Value>(_ name: Int32, _ value: inout Value) throws(LDAPError) {
        let code = withUnsafePointer(to: &value) { ldap.setOption(handle, name, $0) }
        try check("ldap_set_option", code)
    }

    /// Throws `code` as an `LDAPError` with the server's diagnostic message, unless it is `LDAP_SUCCESS`.
    private func check(_ operation: String, _ code: Int32) throws(LDAPError) {
        guard code != LDAP_SUCCESS else { return }
        throw .failed(operation: operation, code: code, message: Self.describe(ldap, code, handle))
    }

    /// `ldap_err2string(code)`, and the server's diagnostic message (`LDAP_OPT_DIAGNOSTIC_MESSAGE`) when there is one.
    private static func describe(_ ldap: LibLDAP, _ code: Int32, _ handle: OpaquePointer?) -> String {
        let text = ldap.errorString(code).map { String(cString: $0) } ?? "LDAP error \(code)"
        guard let handle else { return text }
        var diagnostic: UnsafeMutablePointer<CChar>?
        guard ldap.getOption(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS, let diagnostic
        else { return text }
        defer { ldap.memFree(diagnostic) }
        let detail = String(cString: diagnostic)
        return detail.isEmpty ? text : "\(text): \(detail)"
    }
}
