import Dispatch
import Locking
import Testing
@testable import Curl

/// A POST body and a name for it.
struct PostCase: CustomTestStringConvertible, Sendable {
    let name: String
    let body: [UInt8]
    var testDescription: String { name }

    static let all: [PostCase] = [
        PostCase(
            name: "JSON",
            body: Array(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#.utf8)),
        PostCase(
            name: "JSON with non-ASCII and NUL",
            body: Array(#"{"content":"Grüße, 東京 🙂"}"#.utf8) + [0] + Array("tail".utf8)),
        PostCase(name: "200 KB", body: (0..<200_000).map { UInt8(ascii: "a") + UInt8($0 % 26) }),
        PostCase(name: "empty", body: []),
    ]
}

/// A POST with headers and a body reaches the server byte for byte, without an `Expect: 100-continue` pause.
@Test(arguments: PostCase.all)
func postArrivesIntact(_ postCase: PostCase) throws {
    let received = Locked<ReceivedRequest?>(nil)
    let server = try LoopbackServer { connection in
        received.withLock { $0 = connection.readRequest() }
        connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    }
    defer { server.stop() }

    let body = Locked<[UInt8]>([])
    let request = CurlRequest(
        url: server.url("/v1/chat/completions"), method: .post,
        headers: [CurlHeader("Content-Type", "application/json"), CurlHeader("Authorization", "Bearer sk-test")],
        body: postCase.body
    )
    let response = try CurlTransfer(request) { bytes in body.withLock { $0 += bytes } }.perform()

    #expect(response.status == 200)
    #expect(body.current == Array("ok".utf8))
    let got = try #require(received.current)
    #expect(got.method == "POST")
    #expect(got.target == "/v1/chat/completions")
    #expect(got.header("Content-Type") == "application/json")
    #expect(got.header("authorization") == "Bearer sk-test")
    #expect(got.header("Content-Length") == String(postCase.body.count))
    #expect(got.header("Expect") == nil)
    #expect(got.body == postCase.body)
}

/// A response and what the client must report for it.
struct StatusCase: CustomTestStringConvertible, Sendable {
    let status: Int
    let head: String
    let body: String
    let header: (name: String, value: String)?
    var testDescription: String { "status \(status)" }

    static let all: [StatusCase] = [
        StatusCase(
            status: 429, head: "429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json",
            body: #"{"error":{"message":"Rate limit reached"}}"#, header: ("retry-after", "7")),
        StatusCase(
            status: 401, head: "401 Unauthorized\r\nWWW-Authenticate: Bearer", body: #"{"error":"invalid key"}"#,
            header: ("WWW-Authenticate", "Bearer")),
        StatusCase(
            status: 503, head: "503 Service Unavailable\r\nRetry-After:   120  ", body: "busy",
            header: ("Retry-After", "120")),
        StatusCase(status: 404, head: "404 Not Found", body: "", header: nil),
        StatusCase(status: 204, head: "204 No Content\r\nX-Empty: yes", body: "", header: ("x-empty", "yes")),
    ]
}

/// A non-2xx status is a response, not a transport error: status, headers and body all reach the caller.
@Test(arguments: StatusCase.all)
func nonSuccessStatusIsReported(_ statusCase: StatusCase) throws {
    let server = try LoopbackServer { connection in
        _ = connection.readRequest()
        let length = statusCase.status == 204 ? "" : "\r\nContent-Length: \(statusCase.body.utf8.count)"
        connection.send("HTTP/1.1 \(statusCase.head)\(length)\r\n\r\n\(statusCase.body)")
    }
    defer { server.stop() }

    let heads = Locked<[CurlResponse]>([])
    let body = Locked<[UInt8]>([])
    let transfer = try CurlTransfer(
        CurlRequest(url: server.url("/v1/chat/completions"), method: .post, body: Array("{}".utf8)),
        onResponse: { head in heads.withLock { $0.append(head) } },
        onBody: { bytes in body.withLock { $0 += bytes } }
    )
    let response = try transfer.perform()

    #expect(response.status == statusCase.status)
    #expect(!response.isSuccess || statusCase.status == 204)
    if let header = statusCase.header {
        #expect(response[header: header.name] == header.value)
    }
    #expect(String(decoding: body.current, as: UTF8.self) == statusCase.body)
    #expect(heads.current.map(\.status) == [statusCase.status])
}

/// Header lines as libcurl delivers them, and the response they make.
@Test func headParserKeepsOnlyTheFinalResponse() {
    var parser = ResponseHeadParser()
    for line in [
        "HTTP/1.1 100 Continue\r\n", "\r\n",
        "HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n", "X-Long: first\r\n", "\tsecond\r\n",
        "Set-Cookie: a=1\r\n", "set-cookie: b=2\r\n", "\r\n",
    ] {
        parser.consume(line)
    }
    let response = parser.response
    #expect(response.status == 200)
    #expect(response[header: "x-long"] == "first second")
    #expect(response.values(forHeader: "Set-Cookie") == ["a=1", "b=2"])
    #expect(response[header: "content-type"] == "text/plain")
    #expect(response[header: "Missing"] == nil)
}

@Test(arguments: [
    ("HTTP/2 429 \r\n", 429),
    ("HTTP/1.0 200 OK\r\n", 200),
    ("HTTP/1.1 503\r\n", 503),
])
func statusLineParses(line: String, status: Int) {
    var parser = ResponseHeadParser()
    parser.consume(line)
    #expect(parser.status == status)
}
