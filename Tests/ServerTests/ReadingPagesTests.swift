// Reading pages (`/documents/…`) over the real server: routed off the service thread, answered when made, only
// for a browser with a session, and limited per address.
import Contracts
import Locking
import Testing
@testable import Server
import TurboStream
import Words

/// Pages that wait until the test lets them go when their document id is 1; others answer at once.
final class GatedPages: DocumentPages, @unchecked Sendable {
    let release = Completion()
    let started = Completion()
    let asked = Locked<[DocumentRoute]>([])
    func respond(to route: DocumentRoute, session: SessionID, words: Words) -> DocumentResponse {
        asked.withLock { $0.append(route) }
        switch route {
        case .document(1):
            started.signal()
            release.wait()
            return .page(title: "Held <1>", body: "<main>held</main>", back: "/#4")
        case .file:
            return .file(contentType: "text/html; charset=utf-8", bytes: Array("<script>x</script>".utf8), download: nil)
        case .source(_, let rank):
            return .moved(DocumentRoute.passageAddress(document: 7, chunk: Int64(rank)))
        default:
            return .failure(status: 404, message: "There is no such document on this server.")
        }
    }
}

@Suite(.serialized) struct ReadingPagesTests {
    static let cookie = ("Cookie", String(SessionCookies(secret: TestServer.secret)
        .setCookie(for: SessionID(rawValue: "reader-session-0001")).prefix { $0 != ";" }))

    @Test(arguments: [
        ("/documents/12", DocumentRoute.document(12)),
        ("/documents/12/passages/345", .passage(document: 12, chunk: 345)),
        ("/documents/12/from/40", .part(document: 12, from: 40)),
        ("/documents/12/file", .file(12)),
        ("/messages/9/sources/3", .source(message: 9, rank: 3)),
    ] as [(String, DocumentRoute)])
    func routes(path: String, route: DocumentRoute) {
        #expect(DocumentRoute(path: path) == route)
    }

    @Test(arguments: ["/documents", "/documents/", "/documents/x", "/documents/12/passages", "/documents/-1",
                      "/documents/12/file/more", "/documents/1234567890123456789", "/messages/1/sources", "/passages/1",
                      "/documentsx/1"])
    func notRoutes(path: String) {
        #expect(DocumentRoute(path: path) == nil)
    }

    @Test func aPageIsMadeOffTheServiceThreadWhileEveryoneElseIsServed() throws {
        let pages = GatedPages()
        let server = try TestServer(documents: pages)
        defer { pages.release.signal() }
        let held = Locked<TestHTTPResponse?>(nil)
        let done = Completion()
        let port = server.port
        spawnThread {
            held.withLock { $0 = try? httpRequest(port: port, "/documents/1", headers: [Self.cookie]) }
            done.signal()
        }?.detach()
        pages.started.wait()
        // While it is being made: HTTP, other reading pages and sockets are answered.
        #expect(try httpRequest(port: server.port, "/healthz").status == 200)
        let other = try httpRequest(port: server.port, "/documents/2", headers: [Self.cookie])
        #expect(other.status == 404 && String(decoding: other.body, as: UTF8.self).contains("no such document"))
        _ = try server.subscriber(to: "s")
        pages.release.signal()
        done.wait()
        let response = try #require(held.current)
        #expect(response.status == 200)
        let html = String(decoding: response.body, as: UTF8.self)
        #expect(html.contains("<title>Held &lt;1&gt; · Quarry</title>") && html.contains("<main>held</main>"))
        #expect(html.contains(#"<link rel="stylesheet" href="/assets/quarry."#))
        #expect(html.contains(#"<a href="/#4">← Back to the conversation</a>"#))
        #expect(response.header("content-security-policy")?.contains("script-src 'self'") == true)
    }

    @Test func onlyABrowserWithASessionMayRead() throws {
        let pages = GatedPages()
        let server = try TestServer(documents: pages)
        let refused = try httpRequest(port: server.port, "/documents/2")
        #expect(refused.status == 403)
        let forged = try httpRequest(port: server.port, "/documents/2", headers: [("Cookie", "quarry_session=abc--def")])
        #expect(forged.status == 403)
        #expect(pages.asked.current.isEmpty, "nothing was read for them")
    }

    @Test func filesAndMovesKeepTheirHeaders() throws {
        let server = try TestServer(documents: GatedPages())
        let file = try httpRequest(port: server.port, "/documents/3/file", headers: [Self.cookie])
        #expect(file.status == 200 && file.header("content-type") == "text/html; charset=utf-8")
        #expect(file.headers("content-security-policy").contains("sandbox"), "a web page from the folder runs nothing")
        let moved = try httpRequest(port: server.port, "/messages/5/sources/99", headers: [Self.cookie])
        #expect(moved.status == 303 && moved.header("location") == "/documents/7/passages/99#passage")
        let head = try httpRequest(port: server.port, "/documents/3/file", method: "HEAD", headers: [Self.cookie])
        #expect(head.status == 200 && head.header("content-length") == "\(Array("<script>x</script>".utf8).count)")
    }

    @Test func withoutDocumentsReadingAddressesAreNotFound() throws {
        let server = try TestServer()
        #expect(try httpRequest(port: server.port, "/documents/1", headers: [Self.cookie]).status == 404)
    }

    @Test func oneAddressMayHaveTwoWaiting() throws {
        let pages = GatedPages()
        let server = try TestServer(documents: pages)
        defer { pages.release.signal() }
        var waiting: [TCPConnection] = []
        for _ in 0..<2 {
            let connection = try TCPConnection(port: server.port)
            try connection.write("GET /documents/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(Self.cookie.1)\r\n\r\n")
            waiting.append(connection)
        }
        pages.started.wait()
        // Both are handed over (one being made, one queued) before the third is asked for: wait until the
        // server counts two, by asking until the third is refused.
        var refused: TestHTTPResponse?
        for _ in 0..<200 {
            let third = try httpRequest(port: server.port, "/documents/2", headers: [Self.cookie])
            if third.status == 503 { refused = third; break }
        }
        let response = try #require(refused)
        #expect(String(decoding: response.body, as: UTF8.self).contains("busy opening documents"))
        #expect(response.header("retry-after") == "2")
    }
}
