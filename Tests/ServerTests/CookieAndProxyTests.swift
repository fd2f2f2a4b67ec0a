import Contracts
import Testing
@testable import Server
import TurboStream

/// The session cookie with other apps' cookies beside it, and what a trusted reverse proxy may tell the server.
@Suite(.serialized) struct CookieAndProxyTests {
    /// A fresh session from `GET /`: the cookie pair to send back, and the session it names.
    private func freshSession(_ server: TestServer) throws -> (pair: String, session: SessionID) {
        let page = try httpRequest(port: server.port, "/")
        let setCookie = try #require(page.header("set-cookie"))
        let pair = String(setCookie.prefix(while: { $0 != ";" }))
        let session = try #require(SessionCookies(secret: TestServer.secret).session(fromCookieHeader: pair))
        return (pair, session)
    }

    /// Other apps on the same host name (cookies ignore ports) with ours in the middle: about 6 KiB.
    private func crowdedCookieHeader(with ours: String) -> String {
        let others = (0..<6).map { "other_app_\($0)=" + String(repeating: "abcdef0123", count: 100) }
        return (others[..<3] + [ours] + others[3...]).joined(separator: "; ")
    }

    @Test func aSixKilobyteCookieHeaderKeepsThePageSession() throws {
        let server = try TestServer()
        let (pair, _) = try freshSession(server)
        let header = crowdedCookieHeader(with: pair)
        #expect(header.utf8.count > 6_000)
        let page = try httpRequest(port: server.port, "/", headers: [("Cookie", header)])
        #expect(page.status == 200)
        #expect(page.header("set-cookie") == nil)
    }

    @Test func aSixKilobyteCookieHeaderKeepsTheSocketSession() throws {
        let server = try TestServer()
        let (pair, session) = try freshSession(server)
        let socket = try server.subscriber(to: "session/\(session.rawValue)",
                                           headers: [("Cookie", crowdedCookieHeader(with: pair))])
        server.hub.publish([.remove(target: "mine")], to: "session/\(session.rawValue)")
        #expect(try socket.nextText().contains("mine"))
    }

    @Test func theCookieIsSecureOnlyWhenATrustedProxySaysHTTPS() throws {
        let plain = try TestServer()
        let direct = try httpRequest(port: plain.port, "/", headers: [("X-Forwarded-Proto", "https")])
        #expect(direct.header("set-cookie")?.contains("Secure") == false)

        let proxied = try TestServer { $0.trustedProxies = ["127.0.0.1"] }
        let overHTTPS = try httpRequest(port: proxied.port, "/", headers: [("X-Forwarded-Proto", "https")])
        #expect(overHTTPS.header("set-cookie")?.hasSuffix("; Secure") == true)
        let overHTTP = try httpRequest(port: proxied.port, "/", headers: [("X-Forwarded-Proto", "http")])
        #expect(overHTTP.header("set-cookie")?.contains("Secure") == false)
        let fromElsewhere = try httpRequest(port: proxied.port, "/", headers: [("X-Forwarded-Proto", "https")],
                                            source: "127.0.0.2")
        #expect(fromElsewhere.header("set-cookie")?.contains("Secure") == false)
    }

    @Test func aTrustedProxyMayHoldManyConnectionsBeforeTheirHeaders() throws {
        let server = try TestServer { $0.trustedProxies = ["127.0.0.2"]; $0.maxPendingHeadersPerPeer = 2 }
        func opened(from source: String) throws -> TCPConnection {
            let connection = try TCPConnection(port: server.port, source: source)
            try connection.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            return connection
        }
        let proxied = try (0..<4).map { _ in try opened(from: "127.0.0.2") }
        let direct = try (0..<3).map { _ in try opened(from: "127.0.0.3") }
        #expect((try? direct[2].readToEnd(seconds: 5)) != nil, "the third from an untrusted address is closed")
        for connection in proxied + direct[..<2] {
            try connection.write("\r\n")
            #expect(try connection.take(until: Array("{\"status\":\"ok\"}".utf8)).count > 0)
        }
    }

    @Test func behindATrustedProxyTheSocketCapCountsForwardedAddresses() throws {
        let server = try TestServer { $0.trustedProxies = ["127.0.0.1"]; $0.maxConnectionsPerPeer = 1 }
        func open(_ forwarded: String, source: String? = nil) throws -> WebSocketClient {
            try WebSocketClient(port: server.port, headers: [("X-Forwarded-For", forwarded)], source: source)
        }
        let first = try open("10.0.0.1")
        #expect(first.handshakeStatus == 101)
        #expect(try open("10.0.0.1").handshakeStatus == 429)
        // Only the last address is the proxy's word; earlier ones are the client's to forge.
        #expect(try open("10.0.0.9, 10.0.0.1").handshakeStatus == 429)
        #expect(try open("10.0.0.1, 10.0.0.2").handshakeStatus == 101)
        // Not a trusted proxy: its header is ignored and its own address counts.
        let untrusted = try open("10.0.0.3", source: "127.0.0.2")
        #expect(untrusted.handshakeStatus == 101)
        #expect(try open("10.0.0.4", source: "127.0.0.2").handshakeStatus == 429)
    }
}
