// What the server answers to each HTTP request. Runs on the service thread; pure apart from minting session ids.
internal import Contracts
internal import Crypto
internal import TurboStream
internal import Words

/// Maps requests to responses: the shell at `/`, hashed assets, `/healthz`, and clear errors for the rest.
struct Router: Sendable {
    /// Assets by their served path (`/assets/<name>.<hash>.<ext>`).
    let assets: [String: StaticAsset]
    /// The shell's template in each language.
    let shells: [Language: ShellTemplate]
    /// The language of every page; nil: each browser's (`Accept-Language`).
    let language: Language?
    let sessions: SessionCookies
    let streamNames: StreamNames
    /// The streams a page for a session follows.
    let pageStreams: @Sendable (SessionID) -> [String]
    /// Who makes reading pages (none: reading addresses are not found).
    let documents: (any DocumentPages)?
    let readingFrame: ReadingFrame
    /// Kiosk mode's timing; nil: a normal page, and no start-over address.
    let kiosk: KioskTiming?
    /// Ends a session whose visitor started over (its conversations deleted); may block.
    let endSession: @Sendable (SessionID) -> Void
    /// Who may use the page, and who each request is from.
    let access: Access
    /// Who makes the admin pages (none: there are none).
    let adminPages: (any AdminPages)?
    /// The hidden token of the sign-in and sign-out forms.
    let formTokens: FormTokens
    /// Waits after failed sign-ins.
    let throttle = SignInThrottle()

    /// How a request is answered: now, on the service thread, or by work done elsewhere.
    enum Routed {
        case now(HTTPResponse)
        /// Made off the service thread (a reading page): `make` may block.
        case later(make: @Sendable () -> HTTPResponse)
    }

    init(frontEnd: FrontEnd, sessions: SessionCookies, streamNames: StreamNames,
         pageStreams: @escaping @Sendable (SessionID) -> [String], documents: (any DocumentPages)? = nil,
         language: Language? = nil, kiosk: KioskTiming? = nil,
         endSession: @escaping @Sendable (SessionID) -> Void = { _ in }, access: Access, formTokens: FormTokens,
         adminPages: (any AdminPages)? = nil) {
        assets = Dictionary(frontEnd.assets.map { ($0.path, StaticAsset($0)) }, uniquingKeysWith: { first, _ in first })
        shells = Dictionary(uniqueKeysWithValues: Language.all.map { ($0, ShellTemplate(html: frontEnd.shell(in: $0))) })
        self.language = language
        self.sessions = sessions
        self.streamNames = streamNames
        self.pageStreams = pageStreams
        self.documents = documents
        readingFrame = ReadingFrame(assets: assets)
        self.kiosk = kiosk
        self.endSession = endSession
        self.access = access
        self.formTokens = formTokens
        self.adminPages = adminPages
    }

    /// Routes a request: reading addresses to work off the service thread, for a browser with a session (the
    /// documents are for the people using this Quarry's page); signing in and out (password mode); everything
    /// else answered now.
    func route(_ request: HTTPRequest) -> Routed {
        if request.path == Wire.startOverPath, request.method == "GET", let kiosk {
            return startOver(request, kiosk: kiosk)
        }
        if access.signsIn, request.path == SignInPage.signInPath || request.path == SignInPage.signOutPath {
            return signingIn(request)
        }
        if AdminAddress.contains(request.path) { return adminRoute(request) }
        guard (request.method == "GET" || request.method == "HEAD"), Self.isPlainPath(request.path),
              let route = DocumentRoute(path: request.path)
        else { return .now(respond(to: request)) }
        guard let documents else { return .now(.text(404, "Not found")) }
        let words = Words(language(of: request))
        guard let session = request.visitor.owner else {
            if case .refused(let why) = request.visitor { return .now(.text(403, why)) }
            return .now(.text(403, words[.readingNoSession]))
        }
        let frame = readingFrame, head = request.method == "HEAD"
        return .later {
            var response = frame.response(to: route, documents.respond(to: route, session: session, words: words),
                                          words: words)
            if head { response.body = [] }
            return response
        }
    }

    /// The fields of the form a POST to `path` carries, which the router reads; nil: a POST there is refused
    /// before its body.
    func formFields(_ path: String) -> [String]? {
        if access.signsIn, path == SignInPage.signInPath || path == SignInPage.signOutPath {
            return [FormTokens.field, SignInPage.nameField, SignInPage.passwordField]
        }
        if AdminAddress.contains(path), Self.isPlainPath(path), let fields = adminPages?.formFields(for: path) {
            return [FormTokens.field] + fields
        }
        return nil
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text(405, "Method not allowed", headers: [("allow", "GET, HEAD")], closeAfter: true)
        }
        guard Self.isPlainPath(request.path) else { return .text(404, "Not found") }
        var response: HTTPResponse
        switch request.path {
        case "/":
            response = shellResponse(to: request)
        case "/healthz":
            response = HTTPResponse(status: 200, contentType: "application/json",
                                    headers: [("cache-control", "no-store")], body: Array(#"{"status":"ok"}"#.utf8))
        case Wire.socketPath:
            response = .text(426, "This address takes WebSocket connections only.", headers: [("upgrade", "websocket")])
        default:
            guard let asset = assets[request.path] else { return .text(404, "Not found") }
            response = asset.response(to: request, cacheControl: "public, max-age=31536000, immutable")
        }
        if request.method == "HEAD" { response.body = [] }
        return response
    }

    /// Whether a path is one the router could serve: no dot segments, no escapes, no backslashes, no doubled
    /// slashes, nothing outside printable ASCII. Everything else is a 404 before any lookup.
    static func isPlainPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count <= 1024 else { return false }
        for byte in path.utf8 where byte < 0x21 || byte > 0x7e || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "\\") {
            return false
        }
        return !path.contains("//") && !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." })
    }

    private func shellResponse(to request: HTTPRequest) -> HTTPResponse {
        var extra: [(name: String, value: String)] = []
        let chosen = language(of: request)
        let session: SessionID
        var account = ""
        switch request.visitor {
        case .browser(let known?):
            session = known
        case .browser(nil):
            guard let fresh = try? SessionID.random() else {
                return .text(503, "The server cannot make a secure session right now. Please try again.")
            }
            session = fresh
            extra.append(("set-cookie", sessions.setCookie(for: session, secure: request.secure)))
        case .person(let person, let owner, let browser):
            session = owner
            account = SignInPage.account(person, token: access.mode.signsInHere ? browser.map(formTokens.token) : nil,
                                         words: Words(chosen))
        case .signInNeeded:
            return SignInPage.seeOther(SignInPage.signInPath)
        case .refused(let why):
            return .text(403, why)
        }
        let html = (shells[chosen] ?? shells[.english]!).render(signedStreams: pageStreams(session).map(streamNames.signed),
                                                                account: account, kiosk: kiosk)
        let page = StaticAsset(contentType: "text/html; charset=utf-8", bytes: Array(html.utf8))
        extra.append(("content-language", chosen.code))
        // Chosen by the browser's languages, the page is a different one for each (a cache must not mix them).
        if language == nil { extra.append(("vary", "Accept-Language")) }
        return page.response(to: request, cacheControl: "no-cache", extraHeaders: extra)
    }

    /// Kiosk mode's start over: a new session for the browser at once, and the old one ended off the service
    /// thread (its answers stopped, its conversations deleted) before the browser is sent back to `/`, so the page
    /// it loads next cannot show them. A GET, so the page's script can go there by navigating (`location.replace`);
    /// it only exists on a kiosk, where a session is a passing visitor's. Being a GET, another site's page could
    /// send the kiosk's browser here (an image, a link) and clear a visitor's conversation under their hands: a
    /// request the browser says came from another site (`Sec-Fetch-Site`) is refused. Browsers that send no such
    /// header (before 2020-2023) are let through, as the page's own navigation is.
    private func startOver(_ request: HTTPRequest, kiosk: KioskTiming) -> Routed {
        if let site = request.fetchSite?.lowercased(), site != "same-origin", site != "none" {
            return .now(.text(403, "Starting over is only for this kiosk's own page."))
        }
        guard let fresh = try? SessionID.random() else {
            return .now(.text(503, "The server cannot make a secure session right now. Please try again."))
        }
        let old = request.cookie.flatMap(sessions.session(fromCookieHeader:))
        let response = HTTPResponse(status: 303, contentType: "text/plain; charset=utf-8", headers: [
            ("location", "/"), ("cache-control", "no-store"),
            ("set-cookie", sessions.setCookie(for: fresh, secure: request.secure)),
        ], body: [])
        guard let old else { return .now(response) }
        let endSession = self.endSession
        return .later {
            endSession(old)
            return response
        }
    }

    /// The language a request's page is in: the server's fixed one, else the browser's choice.
    func language(of request: HTTPRequest) -> Language {
        language ?? Language.preferred(by: request.acceptLanguage)
    }
}
