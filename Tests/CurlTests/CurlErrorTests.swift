import Glibc
import Testing
@testable import Curl

/// A port on 127.0.0.1 that was just free and is now closed: connecting to it is refused.
func closedPort() throws -> UInt16 {
    let server = try LoopbackServer { _ in }
    server.stop()
    return server.port
}

@Test func connectionRefusedThrowsCouldntConnect() throws {
    let port = try closedPort()
    let transfer = try CurlTransfer(CurlRequest(url: "http://127.0.0.1:\(port)/v1/models")) { _ in }
    let error = try #require(throws: CurlError.self) { try transfer.perform() }
    #expect(error.code == .couldntConnect)
    #expect(!error.isCancelled)
    #expect(error.systemErrno == ECONNREFUSED)
    #expect(error.description == "Could not connect to http://127.0.0.1:\(port): connection refused.")
    #expect(error.debugDescription.contains("curl error 7"))
    #expect(!error.message.isEmpty)
    do {
        _ = try CurlTransfer(CurlRequest(url: "http://127.0.0.1:\(port)/")) { _ in }.perform()
    } catch CurlError.Code.couldntConnect {
        // `catch` by code works.
    } catch {
        Issue.record("expected couldntConnect, got \(error)")
    }
}

@Test func serverClosingWithoutAnswerIsGotNothing() throws {
    let server = try LoopbackServer { connection in _ = connection.readRequest() }
    defer { server.stop() }
    let error = try #require(throws: CurlError.self) {
        try CurlTransfer(CurlRequest(url: server.url())) { _ in }.perform()
    }
    #expect(error.code == .gotNothing)
    #expect(error.description == "http://127.0.0.1:\(server.port) closed the connection without answering.")
}

@Test func bodyCutShortIsPartialFile() throws {
    let server = try LoopbackServer { connection in
        _ = connection.readRequest()
        connection.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
    }
    defer { server.stop() }
    let error = try #require(throws: CurlError.self) {
        try CurlTransfer(CurlRequest(url: server.url())) { _ in }.perform()
    }
    #expect(error.code == .partialFile)
    #expect(error.description == "The connection to http://127.0.0.1:\(server.port) broke off.")
}

/// Requests refused before or instead of any network traffic.
@Test(arguments: [
    ("file:///etc/passwd", CurlError.Code.unsupportedProtocol),
    ("ftp://127.0.0.1/", .unsupportedProtocol),
    ("gopher://127.0.0.1/", .unsupportedProtocol),
    ("http://[::1", .urlMalformat),
    ("http://127.0.0.1\u{0}.evil/", .urlMalformat),
])
func refusedURLs(url: String, code: CurlError.Code) {
    let error = #expect(throws: CurlError.self) {
        try CurlTransfer(CurlRequest(url: url)) { _ in }.perform()
    }
    #expect(error?.code == code)
}

@Test(arguments: [
    CurlHeader("X-Injected", "a\r\nHost: evil"),
    CurlHeader("X-Bad\nName", "v"),
    CurlHeader("X-Colon:", "v"),
    CurlHeader("", "v"),
    CurlHeader("X-Nul", "a\u{0}b"),
])
func invalidHeadersAreRefused(header: CurlHeader) {
    let error = #expect(throws: CurlError.self) {
        _ = try CurlTransfer(CurlRequest(url: "http://127.0.0.1:9/", headers: [header])) { _ in }
    }
    #expect(error?.code == .badFunctionArgument)
}

@Test func getWithBodyIsRefused() {
    let error = #expect(throws: CurlError.self) {
        _ = try CurlTransfer(CurlRequest(url: "http://127.0.0.1:9/", body: [1])) { _ in }
    }
    #expect(error?.code == .badFunctionArgument)
}

@Test(arguments: [
    ("http://127.0.0.1:1234/v1/chat?key=secret", "http://127.0.0.1:1234"),
    ("https://user:password@api.example.com/v1", "https://api.example.com"),
    ("https://api.example.com", "https://api.example.com"),
    ("https://api.example.com#frag", "https://api.example.com"),
    ("not a url", "not a url"),
])
func originHidesPathQueryAndPassword(url: String, origin: String) {
    #expect(CurlError.origin(of: url) == origin)
}

@Test(arguments: [
    (Duration.seconds(10), 10_000),
    (.milliseconds(1), 1),
    (.microseconds(1), 1),
    (.zero, 0),
    (.seconds(-5), 0),
    (.seconds(Int64.max), Int.max),
])
func durationsBecomeWholeMilliseconds(duration: Duration, milliseconds: Int) {
    #expect(duration.curlMilliseconds == milliseconds)
}
