import Contracts
import Locking
import Testing
import TurboStream
import Words
@testable import Server

/// Sign-ins kept in memory, with one account: `ada`, password `correct horse`, an admin.
final class OneAccountSignIns: SignIns {
    let signedIn = Locked<[SessionID: Person]>([:])
    static let ada = Person(name: "ada", isAdmin: true)

    func person(signedInOn session: SessionID) -> Person? { signedIn.withLock { $0[session] } }

    func signIn(name: String, password: [UInt8], on session: SessionID) -> SignInOutcome {
        guard name == "ada", password == Array("correct horse".utf8) else { return .refused }
        signedIn.withLock { $0[session] = Self.ada }
        return .signedIn(Self.ada)
    }

    func signOut(_ session: SessionID) { _ = signedIn.withLock { $0.removeValue(forKey: session) } }
}

/// Sign-ins whose directory never answers (`--auth ldap` with the directory down).
final class DirectoryDownSignIns: SignIns {
    func person(signedInOn session: SessionID) -> Person? { nil }
    func signIn(name: String, password: [UInt8], on session: SessionID) -> SignInOutcome { .unavailable }
    func signOut(_ session: SessionID) {}
}

/// A browser's cookie jar of one cookie, and the form token of the page it last loaded.
struct Browser {
    var cookie: String?
    var token: String?

    var headers: [(String, String)] { cookie.map { [("Cookie", $0)] } ?? [] }

    mutating func take(_ response: TestHTTPResponse) {
        if let set = response.header("set-cookie") { cookie = String(set.split(separator: ";")[0]) }
        if let match = response.text.firstMatch(of: /name="form_token" value="([^"]+)"/) { token = String(match.1) }
    }

    /// Posts a form of `fields` (urlencoded) to `path`.
    mutating func post(_ port: Int, _ path: String, _ fields: [(String, String)]) throws -> TestHTTPResponse {
        let body = fields.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try httpRequest(port: port, path, method: "POST",
                                       headers: headers + [("Content-Type", "application/x-www-form-urlencoded")], body: body)
        take(response)
        return response
    }

    mutating func get(_ port: Int, _ path: String) throws -> TestHTTPResponse {
        let response = try httpRequest(port: port, path, headers: headers)
        take(response)
        return response
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == 0x20 {
                out += "+"
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// The page's signed stream names.
func pageStreams(_ page: String) -> [String] {
    page.matches(of: /signed-stream-name="([^"]+)"/).map { String($0.1) }
}

@Suite(.serialized) struct PasswordAccessTests {
    func server(_ signIns: OneAccountSignIns = OneAccountSignIns()) throws -> TestServer {
        try TestServer({ $0.access = AccessConfiguration(mode: .password) }, signIns: signIns)
    }

    @Test func aSignInGivesTheBrowserANewSessionThatSeesThePersonsPage() throws {
        let server = try server()
        var browser = Browser()
        let first = try browser.get(server.port, "/")
        #expect(first.status == 303 && first.header("location") == "/sign-in")
        let form = try browser.get(server.port, "/sign-in")
        #expect(form.status == 200 && form.text.contains("type=\"password\"") && form.text.contains("action=\"/sign-in\""))
        let before = try #require(browser.cookie)
        #expect(browser.token != nil)

        let signedIn = try browser.post(server.port, "/sign-in", [("form_token", browser.token!), ("name", "ada"),
                                                                  ("password", "correct horse")])
        #expect(signedIn.status == 303 && signedIn.header("location") == "/")
        #expect(browser.cookie != before, "a new session id on sign-in")

        let page = try browser.get(server.port, "/")
        #expect(page.status == 200 && page.text.contains("Signed in as ada"))
        #expect(page.text.contains("action=\"/sign-out\""))
        #expect(!page.text.contains("{{account}}"))
        // The page follows the person's conversations, not the browser's.
        let owner = Access(configuration: AccessConfiguration(mode: .password),
                           sessions: SessionCookies(secret: TestServer.secret), signIns: nil, trustedProxies: [],
                           secret: TestServer.secret).owner(of: "ada")
        #expect(pageStreams(page.text) == [server.streamNames.signed("session/\(owner.rawValue)")])

        // The socket opens for the signed-in browser, not for the cookie it had before or none.
        let socket = try WebSocketClient(port: server.port, headers: browser.headers)
        #expect(socket.handshakeStatus == 101)
        #expect(try WebSocketClient(port: server.port, headers: [("Cookie", before)]).handshakeStatus == 403)
        #expect(try WebSocketClient(port: server.port).handshakeStatus == 403)

        let signedOut = try browser.post(server.port, "/sign-out", [("form_token", browser.token!)])
        #expect(signedOut.status == 303 && signedOut.header("location") == "/sign-in")
        #expect(try browser.get(server.port, "/").status == 303)
    }

    @Test func aWrongPasswordIsRefusedAndRepeatedOnesMustWait() throws {
        let server = try server()
        var browser = Browser()
        _ = try browser.get(server.port, "/sign-in")
        for _ in 0..<SignInThrottle.freeFailures {
            let wrong = try browser.post(server.port, "/sign-in", [("form_token", browser.token!), ("name", "ada"),
                                                                   ("password", "wrong")])
            #expect(wrong.status == 200 && wrong.text.contains("do not match"))
            #expect(wrong.text.contains("value=\"ada\""), "the name is kept")
        }
        // Now even the right password waits, and says how long.
        let waiting = try browser.post(server.port, "/sign-in", [("form_token", browser.token!), ("name", "ada"),
                                                                 ("password", "correct horse")])
        #expect(waiting.status == 429 && waiting.header("retry-after") == "1")
        #expect(waiting.text.contains("Please wait 1 seconds"))
    }

    /// A check that could not be made says so, and is no wrong guess: it never makes the person wait.
    @Test func aDirectoryThatCannotAnswerIsNotAWrongPassword() throws {
        let server = try TestServer({ $0.access = AccessConfiguration(mode: .ldap) }, signIns: DirectoryDownSignIns())
        var browser = Browser()
        let form = try browser.get(server.port, "/sign-in")
        #expect(form.status == 200 && form.text.contains("type=\"password\""))
        for _ in 0...SignInThrottle.freeFailures {
            let down = try browser.post(server.port, "/sign-in", [("form_token", browser.token!), ("name", "ada"),
                                                                ("password", "correct horse")])
            #expect(down.status == 503 && down.header("retry-after") == "30")
            #expect(down.text.contains("The sign-in directory cannot be reached right now"))
            #expect(!down.text.contains("do not match"))
        }
    }

    @Test func aFormWithoutItsTokenIsRefused() throws {
        let server = try server()
        var browser = Browser()
        _ = try browser.get(server.port, "/sign-in")
        let forged = try browser.post(server.port, "/sign-in", [("name", "ada"), ("password", "correct horse")])
        #expect(forged.status == 403 && forged.text.contains("expired"))
        // Another browser's token is not this one's.
        var other = Browser()
        _ = try other.get(server.port, "/sign-in")
        let borrowed = try browser.post(server.port, "/sign-in", [("form_token", other.token!), ("name", "ada"),
                                                                  ("password", "correct horse")])
        #expect(borrowed.status == 403)
        // A sign-out without the token does nothing.
        let signOut = try httpRequest(port: server.port, "/sign-out", method: "POST",
                                      headers: browser.headers + [("Content-Type", "application/x-www-form-urlencoded")],
                                      body: "")
        #expect(signOut.status == 403)
    }

    @Test func formsThatAreTooLargeUnmeasuredOrNotFormsAreRefused() throws {
        let server = try server()
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let big = try httpRequest(port: server.port, "/sign-in", method: "POST", headers: form,
                                  body: "name=" + String(repeating: "a", count: 9_000))
        #expect(big.status == 413)
        let json = try httpRequest(port: server.port, "/sign-in", method: "POST",
                                   headers: [("Content-Type", "application/json")], body: "{}")
        #expect(json.status == 415)
        let unmeasured = try httpRequest(port: server.port, "/sign-in", method: "POST", headers: form)
        #expect(unmeasured.status == 411)
        // Other addresses take no posts at all.
        #expect(try httpRequest(port: server.port, "/", method: "POST", headers: form, body: "a=b").status == 405)
    }
}

@Suite(.serialized) struct ProxyAccessTests {
    func server(adminGroup: String? = "quarry-admins") throws -> TestServer {
        try TestServer {
            $0.trustedProxies = ["127.0.0.1"]
            $0.access = AccessConfiguration(mode: .proxy, proxy: ProxyHeaders(adminGroup: adminGroup))
        }
    }

    @Test func theProxysPersonHasTheSamePageOnEveryBrowser() throws {
        let server = try server()
        let first = try httpRequest(port: server.port, "/", headers: [("X-Forwarded-User", "grace")])
        let second = try httpRequest(port: server.port, "/", headers: [("X-Forwarded-User", "grace")])
        let other = try httpRequest(port: server.port, "/", headers: [("X-Forwarded-User", "alan")])
        #expect(first.status == 200 && first.text.contains("Signed in as grace"))
        #expect(!first.text.contains("/sign-out"), "the proxy signs people out")
        #expect(pageStreams(first.text) == pageStreams(second.text))
        #expect(pageStreams(first.text) != pageStreams(other.text))
        #expect(try WebSocketClient(port: server.port, headers: [("X-Forwarded-User", "grace")]).handshakeStatus == 101)
    }

    @Test func requestsNotThroughTheProxyOrNamingNobodyAreRefused() throws {
        let server = try server()
        let untrusted = try httpRequest(port: server.port, "/", headers: [("X-Forwarded-User", "grace")],
                                        source: "127.0.0.2")
        #expect(untrusted.status == 403 && untrusted.text.contains("did not come through it"))
        let nobody = try httpRequest(port: server.port, "/")
        #expect(nobody.status == 403 && nobody.text.contains("X-Forwarded-User"))
        #expect(try WebSocketClient(port: server.port, headers: [("X-Forwarded-User", "grace")], source: "127.0.0.2")
            .handshakeStatus == 403)
        #expect(try WebSocketClient(port: server.port).handshakeStatus == 403)
        // Health checks do not come through the proxy.
        #expect(try httpRequest(port: server.port, "/healthz", source: "127.0.0.2").status == 200)
    }

    @Test func adminsAreTheAdminGroupsMembers() throws {
        let access = Access(configuration: AccessConfiguration(mode: .proxy, proxy: ProxyHeaders(adminGroup: "staff")),
                            sessions: SessionCookies(secret: TestServer.secret), signIns: nil,
                            trustedProxies: ["10.0.0.1"], secret: TestServer.secret)
        func visitor(_ headers: [String: String]) -> Visitor {
            access.visitor(VisitorEvidence(cookie: nil, directPeer: "10.0.0.1") { headers[$0] })
        }
        guard case .person(let admin, _, _) = visitor(["X-Forwarded-User": "ada", "X-Forwarded-Groups": "users, staff"]),
              case .person(let user, _, _) = visitor(["X-Forwarded-User": "bob", "X-Forwarded-Groups": "users,staffing"])
        else { Issue.record("not people"); return }
        #expect(admin.isAdmin && !user.isAdmin)
        if case .refused = visitor(["X-Forwarded-User": "bad\u{1}name"]) {} else { Issue.record("a control character was taken") }
        if case .refused = visitor(["X-Forwarded-User": String(repeating: "a", count: 300)]) {} else {
            Issue.record("an overlong name was taken")
        }
    }
}

/// Admin pages that echo what they were asked.
struct EchoAdminPages: AdminPages {
    func sections(_ words: Words) -> [(path: String, title: String)] { [("/admin", "Documents"), ("/admin/x", "X")] }
    func formFields(for path: String) -> [String]? { path == "/admin/x/do" ? ["what"] : nil }
    var uploadLimit: Int { 0 }
    func receiveFile(named fileName: String, by person: Person) -> Result<any ReceivedFile, FileRefusal> {
        .failure(FileRefusal(fileName: fileName, reason: "no uploads here"))
    }
    func respond(to request: AdminRequest) -> AdminResponse {
        .page(title: "Echo", body: """
            <p>\(request.method) \(request.path) by \(request.person.name) what=\(request.form["what"] ?? "-")</p>\
            <form method="post" action="/admin/x/do">\(AdminAddress.tokenInput)</form>
            """)
    }
}

@Suite(.serialized) struct AdminGateTests {
    @Test func onlyTheProxysAdminsGetTheAdminPagesAndTheirFormsNeedTheToken() throws {
        let server = try TestServer({
            $0.trustedProxies = ["127.0.0.1"]
            $0.access = AccessConfiguration(mode: .proxy, proxy: ProxyHeaders(adminGroup: "staff"))
        }, adminPages: EchoAdminPages())
        let admin = [("X-Forwarded-User", "grace"), ("X-Forwarded-Groups", "staff")]
        let page = try httpRequest(port: server.port, "/admin", headers: admin)
        #expect(page.status == 200 && page.text.contains("GET /admin by grace"))
        #expect(page.text.contains("aria-current=\"page\">Documents</a>"), "the bar marks the section")
        #expect(!page.text.contains("{{form_token}}"))
        let token = try #require(page.text.firstMatch(of: /name="form_token" value="([^"]+)"/).map { String($0.1) })

        let user = try httpRequest(port: server.port, "/admin", headers: [("X-Forwarded-User", "alan")])
        #expect(user.status == 403 && user.text.contains("administrators"))

        let form = admin + [("Content-Type", "application/x-www-form-urlencoded")]
        let done = try httpRequest(port: server.port, "/admin/x/do", method: "POST", headers: form,
                                   body: "form_token=\(token)&what=it")
        #expect(done.status == 200 && done.text.contains("POST /admin/x/do by grace what=it"))
        let forged = try httpRequest(port: server.port, "/admin/x/do", method: "POST", headers: form, body: "what=it")
        #expect(forged.status == 403)
        // Another admin's token is not this one's.
        let other = try httpRequest(port: server.port, "/admin/x/do", method: "POST",
                                    headers: [("X-Forwarded-User", "ada"), ("X-Forwarded-Groups", "staff")]
                                        + [("Content-Type", "application/x-www-form-urlencoded")],
                                    body: "form_token=\(token)&what=it")
        #expect(other.status == 403)
        // A path that takes no form takes no post.
        #expect(try httpRequest(port: server.port, "/admin", method: "POST", headers: form, body: "a=b").status == 405)
    }

    @Test func withoutSignInForThePageTheAdminPagesAskForASignIn() throws {
        let signIns = OneAccountSignIns()
        let server = try TestServer({ _ in }, adminPages: EchoAdminPages(), signIns: signIns)
        var browser = Browser()
        let first = try browser.get(server.port, "/admin")
        #expect(first.status == 303 && first.header("location") == "/sign-in")
        _ = try browser.get(server.port, "/sign-in")
        let signedIn = try browser.post(server.port, "/sign-in", [("form_token", browser.token!), ("name", "ada"),
                                                                  ("password", "correct horse")])
        #expect(signedIn.status == 303 && signedIn.header("location") == "/admin")
        #expect(try browser.get(server.port, "/admin").text.contains("GET /admin by ada"))
        // The chat page stays anonymous.
        #expect(try browser.get(server.port, "/").text.contains("Signed in") == false)
    }
}

@Suite struct AdminStreamTests {
    @Test func onlyAdminsSocketsFollowTheAdminPagesStreams() {
        let session = SessionID(rawValue: "abc")
        #expect(StreamAccess.allows("admin/documents/en", session: session, isAdmin: true))
        #expect(!StreamAccess.allows("admin/documents/en", session: session, isAdmin: false))
        #expect(!StreamAccess.allows("admin/documents/en", session: nil))
        #expect(StreamAccess.allows("session/abc", session: session, isAdmin: false))
    }
}

/// Admin pages whose page is held until released.
final class GatedAdminPages: AdminPages, @unchecked Sendable {
    let release = Completion()
    let started = Completion()
    func sections(_ words: Words) -> [(path: String, title: String)] { [] }
    func formFields(for path: String) -> [String]? { nil }
    var uploadLimit: Int { 0 }
    func receiveFile(named fileName: String, by person: Person) -> Result<any ReceivedFile, FileRefusal> {
        .failure(FileRefusal(fileName: fileName, reason: "no"))
    }
    func respond(to request: AdminRequest) -> AdminResponse {
        started.signal()
        release.wait()
        return .page(title: "Held", body: "")
    }
}

@Suite(.serialized) struct AdminBusyTests {
    /// Admin pages (and sign-ins) are made by the reading pages' threads, within their limits: past them the
    /// refusal says the server is busy, not that it is opening documents.
    @Test func pastTheLimitsTheRefusalSaysTheServerIsBusy() throws {
        let pages = GatedAdminPages()
        let server = try TestServer({
            $0.trustedProxies = ["127.0.0.1"]
            $0.access = AccessConfiguration(mode: .proxy, proxy: ProxyHeaders(adminGroup: "staff"))
        }, adminPages: pages)
        defer { pages.release.signal() }
        var waiting: [TCPConnection] = []
        for _ in 0..<2 {
            let connection = try TCPConnection(port: server.port)
            try connection.write("GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-User: ada\r\nX-Forwarded-Groups: staff\r\n\r\n")
            waiting.append(connection)
        }
        pages.started.wait()
        var refused: TestHTTPResponse?
        for _ in 0..<200 {
            let third = try httpRequest(port: server.port, "/admin",
                                        headers: [("X-Forwarded-User", "ada"), ("X-Forwarded-Groups", "staff")])
            if third.status == 503 { refused = third; break }
        }
        let response = try #require(refused)
        #expect(response.text.contains("The server is busy. Please try again"))
        #expect(!response.text.contains("documents"))
    }
}
