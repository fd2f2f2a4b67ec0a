// Faults that answer with an error status, and how a request asks for a fault.
import JSON
import StandIn
import Testing

@Suite struct FaultStatusTests {
    @Test(arguments: [
        (401, "invalid_request_error", "invalid_api_key"),
        (403, "invalid_request_error", "unsupported_country_region_territory"),
        (404, "invalid_request_error", "model_not_found"),
        (429, "requests", "rate_limit_exceeded"),
        (500, "server_error", nil),
        (502, "server_error", nil),
        (503, "server_error", nil),
        (418, "invalid_request_error", nil),
    ] as [(Int, String, String?)])
    func statusAnswersWithOpenAIsErrorShape(status: Int, type: String, code: String?) throws {
        try withServer { _, port in
            let response = try chat(port, fault: "status=\(status)")
            #expect(response.status == status)
            let error = try #require(response.json?["error"])
            #expect(error["type"] == .string(type))
            #expect(error["code"] == (code.map(JSONValue.string) ?? .null))
            #expect(error["message"]?.string?.isEmpty == false)
            #expect(response.header("Retry-After") == nil)
        }
    }

    @Test func statusWithRetryAfterAddsTheHeader() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "status=429,retry-after=7")
            #expect(response.status == 429)
            #expect(response.header("Retry-After") == "7")
            #expect(response.json?["error"]?["message"]?.string?.hasPrefix("Rate limit reached for requests") == true)
        }
    }

    @Test func statusTimesFailsOnlyTheFirstRequestsOfThatSpec() throws {
        try withServer { _, port in
            let spec = "status=503,times=2"
            #expect(try chat(port, fault: spec).status == 503)
            #expect(try chat(port, fault: "status=503,times=1").status == 503)  // another spec counts apart
            #expect(try chat(port, fault: spec).status == 503)
            let third = try chat(port, fault: spec)
            #expect(third.status == 200)
            #expect(EventStream(third.body).content == StandInConfiguration.defaultAnswer)
            #expect(try chat(port, fault: spec).status == 200)
        }
    }

    @Test func statusAppliesToEveryEndpoint() throws {
        try withServer { _, port throws in
            let fault = [("X-Standin-Fault", "status=500")]
            #expect(try request(port, "GET", "/v1/models", headers: fault).status == 500)
            let body = Array(#"{"model":"standin-embed","input":"x"}"#.utf8)
            #expect(try request(port, "POST", "/v1/embeddings", headers: fault, body: body).status == 500)
        }
    }

    @Test(arguments: [
        ([["role": "user", "content": "Hours? [standin:status=429]"]], 429),
        ([["role": "user", "content": [["type": "text", "text": "[standin:status=502] hours?"]]]], 502),
        ([["role": "user", "content": "[standin:status=429]"], ["role": "assistant", "content": "ok"],
          ["role": "user", "content": "Hours?"]], 200),
        ([["role": "system", "content": "[standin:status=429]"], ["role": "user", "content": "Hours?"]], 200),
    ] as [([JSONValue], Int)])
    func faultInTheLastUserMessage(messages: [JSONValue], status: Int) throws {
        try withServer { _, port in
            let response = try request(port, "POST", "/v1/chat/completions", body: chatBody(messages: messages))
            #expect(response.status == status)
        }
    }

    @Test func headerWinsOverTheMessage() throws {
        try withServer { _, port in
            let response = try request(
                port, "POST", "/v1/chat/completions", headers: [("x-standin-fault", "status=503")],
                body: chatBody(messages: [["role": "user", "content": "[standin:status=429]"]]))
            #expect(response.status == 503)
        }
    }

    @Test(arguments: [
        ("bogus", "`bogus`"),
        ("cut-after=3,stal-after=2", "`stal-after`"),
        ("cut-after=x", "`cut-after`"),
        ("no-done=1", "`no-done`"),
        ("status=200", "`status`"),
        ("times=1", "times="),
        ("answer=***", "answer="),
        ("cut-after=1,error-after=2", "one of"),
    ])
    func badSpecIs400NamingTheOption(spec: String, named: String) throws {
        try withServer { _, port in
            let response = try chat(port, fault: spec)
            #expect(response.status == 400)
            #expect(response.json?["error"]?["message"]?.string?.contains(named) == true)
        }
    }
}
