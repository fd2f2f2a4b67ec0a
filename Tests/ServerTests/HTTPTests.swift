import Gzip
import Testing
import TurboStream

@Suite(.serialized) struct HTTPTests {
    let server: TestServer
    init() throws { server = try TestServer() }

    @Test func shellIsServedWithTypeCSPAndSession() throws {
        let response = try httpRequest(port: server.port, "/")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/html; charset=utf-8")
        let csp = try #require(response.header("content-security-policy"))
        #expect(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"))
        #expect(!csp.contains("unsafe-inline"))
        #expect(response.header("x-content-type-options") == "nosniff")
        let cookie = try #require(response.header("set-cookie"))
        #expect(cookie.hasPrefix("quarry_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
        #expect(response.text.contains("<\(Wire.streamSourceElement) \(Wire.signedStreamNameAttribute)=\""))
        #expect(!response.text.contains("<script>"), "no inline script")
    }

    @Test func aReturningBrowserKeepsItsSession() throws {
        let first = try httpRequest(port: server.port, "/")
        let cookie = try #require(first.header("set-cookie")).split(separator: ";")[0]
        let second = try httpRequest(port: server.port, "/", headers: [("Cookie", "other=1; \(cookie)")])
        #expect(second.header("set-cookie") == nil)
        #expect(second.text == first.text, "same session, same signed stream names")
        let forged = try httpRequest(port: server.port, "/", headers: [("Cookie", "quarry_session=abc--00")])
        #expect(forged.header("set-cookie") != nil, "a forged cookie gets a fresh session")
    }

    @Test func etagGivesNotModified() throws {
        let cookie = try #require(try httpRequest(port: server.port, "/").header("set-cookie")).split(separator: ";")[0]
        let first = try httpRequest(port: server.port, "/", headers: [("Cookie", String(cookie))])
        let etag = try #require(first.header("etag"))
        let second = try httpRequest(port: server.port, "/", headers: [("Cookie", String(cookie)), ("If-None-Match", etag)])
        #expect(second.status == 304)
        #expect(second.header("etag") == etag)
        #expect(second.header("content-length") == "\(first.body.count)", "the length of what the client has")
    }

    @Test func gzipWhenAccepted() throws {
        let plain = try httpRequest(port: server.port, "/")
        let cookie = try #require(plain.header("set-cookie")).split(separator: ";")[0]
        let identity = try httpRequest(port: server.port, "/", headers: [("Cookie", String(cookie))])
        let zipped = try httpRequest(port: server.port, "/", headers: [
            ("Cookie", String(cookie)), ("Accept-Encoding", "br, gzip;q=0.8"),
        ])
        #expect(zipped.header("content-encoding") == "gzip")
        #expect(zipped.header("vary") == "Accept-Encoding")
        #expect(zipped.header("etag") != identity.header("etag"))
        #expect(try Gzip.decompress(zipped.body, limit: 1 << 20) == identity.body)
        let refused = try httpRequest(port: server.port, "/", headers: [("Cookie", String(cookie)), ("Accept-Encoding", "gzip;q=0")])
        #expect(refused.header("content-encoding") == nil)
    }

    @Test func assetsAreHashedImmutableAndConditional() throws {
        let shell = try httpRequest(port: server.port, "/").text
        for ext in ["js", "css"] {
            let path = try #require(shell.firstMatch(of: try Regex("/assets/quarry\\.[0-9a-f]{16}\\.\(ext)")).map { String(shell[$0.range]) })
            let asset = try httpRequest(port: server.port, path, headers: [("Accept-Encoding", "gzip")])
            #expect(asset.status == 200)
            #expect(asset.header("content-type")?.hasPrefix(ext == "js" ? "text/javascript" : "text/css") == true)
            #expect(asset.header("cache-control") == "public, max-age=31536000, immutable")
            let again = try httpRequest(port: server.port, path, headers: [
                ("Accept-Encoding", "gzip"), ("If-None-Match", try #require(asset.header("etag"))),
            ])
            #expect(again.status == 304)
        }
    }

    @Test func healthz() throws {
        let response = try httpRequest(port: server.port, "/healthz")
        #expect(response.status == 200)
        #expect(response.text == #"{"status":"ok"}"#)
    }

    @Test(arguments: [
        "/assets/../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd", "/assets/quarry.css", "/assets%2fquarry.css", "//etc/passwd",
        "/assets/..\\..\\etc\\passwd", "/nope", "/assets/", "/../../../../etc/passwd",
    ])
    func unknownAndEscapingPathsAre404(path: String) throws {
        let response = try httpRequest(port: server.port, path)
        #expect(response.status == 404, "\(path)")
        #expect(!response.text.contains("root:"))
    }

    @Test func otherMethodsAre405() throws {
        let response = try httpRequest(port: server.port, "/", method: "POST", body: "x=1")
        #expect(response.status == 405)
    }

    @Test func headHasNoBody() throws {
        let response = try httpRequest(port: server.port, "/healthz", method: "HEAD")
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }
}
