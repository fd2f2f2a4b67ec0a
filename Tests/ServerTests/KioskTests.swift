import Contracts
import Locking
import Testing
import TurboStream
@testable import Server

/// Kiosk mode over real HTTP: the page carries the kiosk's timing, and `/start-over` rotates the session and ends
/// the old one before the browser comes back.
@Suite(.serialized) struct KioskTests {
    /// The page's kiosk element as each timing renders it: a normal page's is hidden.
    @Test(arguments: [
        (nil, #"id="kiosk" class="kiosk" hidden>"#),
        (KioskTiming(idleSeconds: 120), #"id="kiosk" class="kiosk" data-idle="90" data-countdown="30">"#),
        (KioskTiming(idleSeconds: 600), #"id="kiosk" class="kiosk" data-idle="570" data-countdown="30">"#),
        (KioskTiming(idleSeconds: 10), #"id="kiosk" class="kiosk" data-idle="8" data-countdown="2">"#),
    ])
    func thePageCarriesTheKiosksTiming(kiosk: KioskTiming?, element: String) throws {
        let server = try TestServer { $0.kiosk = kiosk }
        let page = try httpRequest(port: server.port, "/").text
        #expect(page.contains(element))
        #expect(!page.contains("{{kiosk}}"))
    }

    /// A kiosk server that notes the sessions it ends, and the session cookie of a visitor who loaded its page.
    func kioskWithAVisitor() throws -> (TestServer, ended: Locked<[SessionID]>, cookie: String) {
        let ended = Locked<[SessionID]>([])
        let server = try TestServer({ $0.kiosk = KioskTiming(idleSeconds: 60) },
                                    endSession: { session in ended.withLock { $0.append(session) } })
        let setCookie = try #require(try httpRequest(port: server.port, "/").header("set-cookie"))
        return (server, ended, String(setCookie.split(separator: ";")[0]))
    }

    @Test func startOverGivesANewSessionAndEndsTheOldOneBeforeTheBrowserReturns() throws {
        let (server, ended, cookie) = try kioskWithAVisitor()
        let old = try #require(SessionCookies(secret: TestServer.secret).session(fromCookieHeader: cookie))

        let response = try httpRequest(port: server.port, Wire.startOverPath, headers: [("Cookie", cookie)])
        #expect(response.status == 303)
        #expect(response.header("location") == "/")
        #expect(response.header("cache-control") == "no-store")
        let fresh = try #require(response.header("set-cookie"))
        #expect(fresh.hasPrefix("\(SessionCookies.name)=") && fresh.contains("HttpOnly"))
        #expect(String(fresh.split(separator: ";")[0]) != cookie)
        #expect(ended.current == [old], "ended before the answer went out")

        let stranger = try httpRequest(port: server.port, Wire.startOverPath)
        #expect(stranger.status == 303 && stranger.header("set-cookie") != nil)
        #expect(ended.current == [old], "no session, nothing to end")
        #expect(try httpRequest(port: server.port, Wire.startOverPath, method: "POST").status == 405)
    }

    /// Another site's page cannot clear a visitor's conversation by sending the kiosk's browser to `/start-over`;
    /// the page's own navigation, and a browser that says nothing, can.
    @Test func startOverFromAnotherSiteIsRefused() throws {
        let (server, ended, cookie) = try kioskWithAVisitor()
        for site in ["cross-site", "same-site", "Cross-Site"] {
            let refused = try httpRequest(port: server.port, Wire.startOverPath,
                                          headers: [("Cookie", cookie), ("Sec-Fetch-Site", site)])
            #expect(refused.status == 403 && refused.header("set-cookie") == nil, "\(site)")
            #expect(refused.text.contains("only for this kiosk's own page"))
        }
        #expect(ended.current.isEmpty)
        for site in ["same-origin", "none"] {
            let fresh = try #require(try httpRequest(port: server.port, "/").header("set-cookie"))
            let visitor = String(fresh.split(separator: ";")[0])
            let allowed = try httpRequest(port: server.port, Wire.startOverPath,
                                          headers: [("Cookie", visitor), ("Sec-Fetch-Site", site)])
            #expect(allowed.status == 303, "\(site)")
        }
        #expect(ended.current.count == 2)
    }

    @Test func startOverIsNotAnAddressOfANormalPage() throws {
        let server = try TestServer()
        #expect(try httpRequest(port: server.port, Wire.startOverPath).status == 404)
    }
}
