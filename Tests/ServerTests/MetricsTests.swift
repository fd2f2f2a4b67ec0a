// `/metrics`: who may read it (QUARRY_METRICS_ALLOW, read as a table of settings), and what the real server serves
// over loopback: the text format to an allowed address with the sockets counted, 403 to another, 404 when off.

import Telemetry
import Testing
@testable import Server

@Suite struct MetricsAccessTests {
    /// A setting, then addresses it lets in and addresses it keeps out.
    @Test(arguments: [
        ("127.0.0.0/8, ::1", ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"], ["10.0.0.1", "::2", "128.0.0.1"]),
        ("10.0.0.0/8", ["10.0.0.1", "10.255.255.255"], ["11.0.0.1", "127.0.0.1"]),
        ("192.168.1.7", ["192.168.1.7"], ["192.168.1.8"]),
        ("192.168.0.0/23", ["192.168.0.1", "192.168.1.254"], ["192.168.2.1"]),
        ("fd00::/8", ["fd12:3456::1"], ["fe80::1", "10.0.0.1"]),
        ("0.0.0.0/0", ["1.2.3.4", "127.0.0.1"], ["::1"]),
        ("127.0.0.2", ["127.0.0.2"], ["127.0.0.1", "?", ""]),
    ])
    func allows(setting: String, inside: [String], outside: [String]) throws {
        let access = try MetricsAccess(parsing: setting)
        for address in inside { #expect(access.allows(address), "\(setting) lets in \(address)") }
        for address in outside { #expect(!access.allows(address), "\(setting) keeps out \(address)") }
    }

    @Test(arguments: ["off", "OFF", "none", " off "])
    func offIsOff(setting: String) throws {
        let access = try MetricsAccess(parsing: setting)
        #expect(!access.isOn)
        #expect(!access.allows("127.0.0.1"))
    }

    /// A mistake names the setting and the item.
    @Test(arguments: [
        ("localhost", "“localhost” is not an address"),
        ("10.0.0.0/33", "from 0 to 32"),
        ("::1/129", "from 0 to 128"),
        ("10.0.0.0/x", "must be a number"),
        ("10.0.0.1/8", "did you mean 10.0.0.0/8?"),
        ("127.0.0.1, 300.1.1.1", "“300.1.1.1”"),
        (",", "takes addresses or networks"),
    ])
    func mistakesAreNamed(setting: String, says: String) {
        #expect(throws: MetricsAccess.ParseError.self) { try MetricsAccess(parsing: setting) }
        do {
            _ = try MetricsAccess(parsing: setting)
        } catch {
            #expect(error.description.hasPrefix("QUARRY_METRICS_ALLOW"))
            #expect(error.description.contains(says), "\(error.description)")
        }
    }

    @Test func theDefaultIsLoopback() {
        #expect(ServerConfiguration().metricsAccess == .loopback)
        #expect(MetricsAccess.loopback.networks.map(\.description) == ["127.0.0.0/8", "0:0:0:0:0:0:0:1/128"])
    }
}

@Suite(.serialized) struct MetricsEndpointTests {
    @Test func anAllowedAddressGetsTheTextFormatWithSocketsCounted() throws {
        let registry = MetricsRegistry()
        let server = try TestServer(metrics: registry)
        let socket = try server.subscriber(to: "public")
        let response = try httpRequest(port: server.port, "/metrics")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        let lines = Set(response.text.split(separator: "\n").map(String.init))
        #expect(lines.contains("# TYPE quarry_sockets_open gauge"))
        #expect(lines.contains("quarry_sockets_open 1.0"))
        #expect(lines.contains("quarry_sockets_opened_total 1"))
        _ = socket
    }

    @Test func refusedSocketsAreCountedByReason() throws {
        let registry = MetricsRegistry()
        let server = try TestServer(metrics: registry)
        let foreign = try WebSocketClient(port: server.port, headers: [("Origin", "http://evil.example")])
        #expect(foreign.handshakeStatus == 403)
        let elsewhere = try WebSocketClient(port: server.port, path: "/elsewhere")
        #expect(elsewhere.handshakeStatus == 404)
        let lines = Set(try httpRequest(port: server.port, "/metrics").text.split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: [#"quarry_sockets_refused_total{reason="origin"} 1"#,
                                      #"quarry_sockets_refused_total{reason="path"} 1"#,
                                      #"quarry_sockets_refused_total{reason="full"} 0"#,
                                      "quarry_sockets_opened_total 0"]))
    }

    @Test func anotherAddressIsRefused() throws {
        let registry = MetricsRegistry()
        let server = try TestServer({ $0.metricsAccess = try! MetricsAccess(parsing: "127.0.0.2") }, metrics: registry)
        let refused = try httpRequest(port: server.port, "/metrics")
        #expect(refused.status == 403)
        #expect(refused.text.contains("not served to your address"))
        #expect(!refused.text.contains("quarry_"))
        let allowed = try httpRequest(port: server.port, "/metrics", source: "127.0.0.2")
        #expect(allowed.status == 200)
        #expect(allowed.text.contains("quarry_metrics_refused_total 1"))
    }

    @Test(arguments: [true, false])
    func offOrWithoutARegistryIsNotFound(registered: Bool) throws {
        let server = try TestServer({ $0.metricsAccess = registered ? .off : .loopback },
                                    metrics: registered ? MetricsRegistry() : nil)
        #expect(try httpRequest(port: server.port, "/metrics").status == 404)
    }
}
