// Signing in and out in password and ldap modes: the form (GET), its post, and the sign-out post. Each post must carry
// the form token given to the same browser session; a sign-in runs the check (a memory-hard hash, or a directory's
// bind) off the service thread and, when right, gives the browser a new session id (one an attacker planted before
// cannot become signed in). A check that could not be made (the directory is down) says so, and is not counted as a
// wrong guess.
internal import Contracts
internal import Crypto
internal import Words

extension Router {
    func signingIn(_ request: HTTPRequest) -> Routed {
        let words = Words(language(of: request))
        switch (request.path, request.method) {
        case (SignInPage.signInPath, "GET"), (SignInPage.signInPath, "HEAD"):
            if case .person = request.visitor { return .now(SignInPage.seeOther("/")) }
            if access.mode == .none, admin(of: request) != nil { return .now(SignInPage.seeOther(AdminAddress.root)) }
            return .now(freshForm(request, words: words))
        case (SignInPage.signInPath, "POST"):
            return signIn(request, words: words)
        case (SignInPage.signOutPath, "POST"):
            return signOut(request)
        default:
            return .now(.text(405, "Method not allowed", headers: [("allow", request.path == SignInPage.signInPath
                                                                     ? "GET, HEAD, POST" : "POST")], closeAfter: true))
        }
    }

    /// The form with a token for the request's browser, giving it a session first if it has none.
    private func freshForm(_ request: HTTPRequest, words: Words, name: String = "", message: String? = nil,
                           status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var headers = headers
        let session: SessionID
        if let known = request.visitor.browser {
            session = known
        } else {
            guard let fresh = try? SessionID.random() else {
                return .text(503, "The server cannot make a secure session right now. Please try again.")
            }
            session = fresh
            headers.append(("set-cookie", sessions.setCookie(for: session, secure: request.secure)))
        }
        var response = SignInPage.form(frame: readingFrame, words: words, token: formTokens.token(for: session),
                                       name: name, message: message, status: status, headers: headers)
        if request.method == "HEAD" { response.body = [] }
        return response
    }

    private func signIn(_ request: HTTPRequest, words: Words) -> Routed {
        let form = request.form ?? [:]
        guard let session = request.visitor.browser, formTokens.accepts(form[FormTokens.field], for: session) else {
            return .now(freshForm(request, words: words, message: words[.signInExpired], status: 403))
        }
        let name = String((form[SignInPage.nameField] ?? "").trimmingPrefix(while: { $0 == " " }))
        let password = Array((form[SignInPage.passwordField] ?? "").utf8)
        guard !name.isEmpty, name.utf8.count <= SignInPage.maxNameBytes, !password.isEmpty,
              password.count <= SignInPage.maxPasswordBytes
        else { return .now(freshForm(request, words: words, name: String(name.prefix(64)), message: words[.signInWrong], status: 200)) }
        let wait = throttle.wait(name: name, peer: request.peer, now: monotonicSeconds())
        if wait > 0 {
            let seconds = "\(Int(wait.rounded(.up)))"
            return .now(freshForm(request, words: words, name: name, message: words(.signInWait, ("seconds", seconds)),
                                  status: 429, headers: [("retry-after", seconds)]))
        }
        guard let signIns = access.signIns, let fresh = try? SessionID.random() else {
            return .now(.text(503, "The server cannot sign anyone in right now. Please try again."))
        }
        // A wrong password gets the form again with a sentence, as a 200: 401 would need an HTTP authentication
        // scheme the form is not.
        let throttle = self.throttle, sessions = self.sessions, frame = readingFrame, tokens = formTokens
        let peer = request.peer, secure = request.secure
        // Without sign-in for the page (a kiosk, a public desk), only admins sign in, and for the admin pages.
        let next = access.mode == .none ? AdminAddress.root : "/"
        return .later {
            switch signIns.signIn(name: name, password: password, on: fresh) {
            case .signedIn:
                throttle.succeeded(name: name)
                return SignInPage.seeOther(next, headers: [("set-cookie", sessions.setCookie(for: fresh, secure: secure))])
            case .refused:
                throttle.failed(name: name, peer: peer, now: monotonicSeconds())
                return SignInPage.form(frame: frame, words: words, token: tokens.token(for: session), name: name,
                                       message: words[.signInWrong], status: 200)
            case .unavailable:
                return SignInPage.form(frame: frame, words: words, token: tokens.token(for: session), name: name,
                                       message: words[.signInUnavailable], status: 503, headers: [("retry-after", "30")])
            }
        }
    }

    private func signOut(_ request: HTTPRequest) -> Routed {
        guard let session = request.visitor.browser, formTokens.accepts(request.form?[FormTokens.field], for: session) else {
            return .now(.text(403, "This sign-out did not come from this Quarry's page. Sign out from the page itself."))
        }
        guard let signIns = access.signIns, let fresh = try? SessionID.random() else {
            return .now(.text(503, "The server cannot sign anyone out right now. Please try again."))
        }
        let sessions = self.sessions, secure = request.secure
        return .later {
            signIns.signOut(session)
            return SignInPage.seeOther(SignInPage.signInPath,
                                       headers: [("set-cookie", sessions.setCookie(for: fresh, secure: secure))])
        }
    }
}
