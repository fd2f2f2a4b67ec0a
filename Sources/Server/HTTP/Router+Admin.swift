// The admin pages' gate: only an admin gets them (signed in with Quarry's form, or named an admin by the proxy);
// anyone else is sent to sign in, or refused with a sentence. Their forms must carry the browser's form token.
internal import Contracts
internal import TurboStream
internal import Words

extension Router {
    /// The admin a request comes from, if it comes from one.
    func admin(of request: HTTPRequest) -> Person? { admin(of: request.visitor) }

    /// `visitor`, if an admin.
    func admin(of visitor: Visitor) -> Person? { signedIn(visitor).flatMap { $0.isAdmin ? $0 : nil } }

    /// Who `visitor` is signed in as: the proxy's or the form's person; in `none` mode, someone (an admin) signed in
    /// on this browser for the admin pages.
    func signedIn(_ visitor: Visitor) -> Person? {
        switch visitor {
        case .person(let person, _, _): person
        case .browser(let browser?): access.signIns?.person(signedInOn: browser)
        case .browser(nil), .signInNeeded, .refused: nil
        }
    }

    /// Who may use the admin pages: the admin, the pages, and the session the forms' tokens are tied to; for
    /// anyone else, the response they get (sent to sign in, or refused with a sentence).
    func adminGate(_ request: HTTPRequest) -> Result<(person: Person, pages: any AdminPages, tokenSession: SessionID), HTTPResponse> {
        guard let pages = adminPages, Self.isPlainPath(request.path) else { return .failure(.text(404, "Not found")) }
        guard let person = admin(of: request) else {
            if case .refused(let why) = request.visitor { return .failure(.text(403, why)) }
            if access.signsIn, signedIn(request.visitor) == nil { return .failure(SignInPage.seeOther(SignInPage.signInPath)) }
            return .failure(.text(403, "The admin pages are for this Quarry's administrators."))
        }
        // Proxy mode's pages have no cookie of Quarry's: their forms are tied to the person instead.
        guard let tokenSession = request.visitor.browser ?? request.visitor.owner else {
            return .failure(.text(403, "Open the admin pages again."))
        }
        return .success((person, pages, tokenSession))
    }

    /// Who may upload files: an admin (checked before the body is read).
    func uploadGate(_ request: HTTPRequest) -> Result<(Person, any AdminPages), HTTPResponse> {
        adminGate(request).map { ($0.person, $0.pages) }
    }

    func adminRoute(_ request: HTTPRequest) -> Routed {
        let (person, pages, tokenSession): (Person, any AdminPages, SessionID)
        switch adminGate(request) {
        case .success(let gate): (person, pages, tokenSession) = gate
        case .failure(let response): return .now(response)
        }
        var form: [String: String] = [:]
        switch request.method {
        case "GET", "HEAD":
            break
        case "POST":
            guard pages.formFields(for: request.path) != nil else {
                return .now(.text(405, "Method not allowed", headers: [("allow", "GET, HEAD")], closeAfter: true))
            }
            guard let fields = request.form, formTokens.accepts(fields[FormTokens.field], for: tokenSession) else {
                return .now(Self.foreignForm)
            }
            form = fields
            form[FormTokens.field] = nil
        default:
            return .now(.text(405, "Method not allowed", headers: [("allow", "GET, HEAD, POST")], closeAfter: true))
        }
        return adminPage(AdminRequest(path: request.path, method: request.method, form: form, person: person,
                                      words: Words(language(of: request))),
                         pages: pages, tokenSession: tokenSession, head: request.method == "HEAD")
    }

    /// An upload has all arrived: with the admin's token its files are put in place, and the documents page says
    /// which went in and which were refused, and why; without, every file is dropped.
    func uploaded(_ request: HTTPRequest, files: UploadIntake) -> Routed {
        guard case .success(let gate) = adminGate(request),
              formTokens.accepts(request.form?[FormTokens.field], for: gate.tokenSession)
        else {
            files.discard()
            return .now(Self.foreignForm)
        }
        let names = files.finish()
        let refused = files.refused.map { "\($0.fileName): \($0.reason)" }
        return adminPage(AdminRequest(path: AdminAddress.upload, method: "POST", form: [
            AdminAddress.uploadedField: names.joined(separator: "\n"), AdminAddress.refusedField: refused.joined(separator: "\n"),
        ], person: gate.person, words: Words(language(of: request))), pages: gate.pages, tokenSession: gate.tokenSession)
    }

    static let foreignForm = HTTPResponse.text(
        403, "This form did not come from this Quarry's admin pages. Reload the page and try again.")

    /// The admin page `adminRequest` asks for, made off the service thread and framed.
    private func adminPage(_ adminRequest: AdminRequest, pages: any AdminPages, tokenSession: SessionID,
                           head: Bool = false) -> Routed {
        let words = adminRequest.words, token = formTokens.token(for: tokenSession), frame = readingFrame
        let streamNames = self.streamNames
        let account = SignInPage.account(adminRequest.person, token: access.signsIn ? token : nil, words: words)
        return .later {
            var response = Self.framed(pages.respond(to: adminRequest), sections: pages.sections(words),
                                       current: adminRequest.path, account: account, token: token, frame: frame,
                                       words: words, streamNames: streamNames)
            if head { response.body = [] }
            return response
        }
    }

    /// An admin response as HTTP: a page gets the bar of sections (the current one marked) and who is signed in,
    /// and its forms their token.
    static func framed(_ response: AdminResponse, sections: [(path: String, title: String)], current: String,
                       account: String, token: String, frame: ReadingFrame, words: Words,
                       streamNames: StreamNames) -> HTTPResponse {
        switch response {
        case .page(let title, let body):
            return framed(.livePage(title: title, body: body, streams: []), sections: sections, current: current,
                          account: account, token: token, frame: frame, words: words, streamNames: streamNames)
        case .livePage(let title, let body, let streams):
            let sources = streams.filter { $0.hasPrefix(AdminAddress.streamPrefix) }.map {
                "<\(Wire.streamSourceElement) \(Wire.signedStreamNameAttribute)=\"\(HTML.escape(streamNames.signed($0)))\"></\(Wire.streamSourceElement)>"
            }.joined()
            let links = sections.map { section in
                let here = section.path == current ? " aria-current=\"page\"" : ""
                return "<a href=\"\(HTML.escape(section.path))\"\(here)>\(HTML.escape(section.title))</a>"
            }.joined()
            let html = frame.page(title: title, bodyClass: "admin", words: words, script: frame.adminScript, body: """
                \(sources)<nav class="admin-bar"><a href="/">Quarry</a>\(links)\(account)</nav>\
                <main class="admin-page"><h1>\(HTML.escape(title))</h1>\(body.replacing(AdminAddress.formTokenMarker, with: HTML.escape(token)))</main>
                """)
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8",
                                headers: [("cache-control", "no-store")], body: Array(html.utf8))
        case .seeOther(let location):
            return SignInPage.seeOther(location)
        case .failure(let status, let message):
            return .text(status, message, headers: [("cache-control", "no-store")])
        }
    }
}
