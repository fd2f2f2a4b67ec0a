// The endpoints without faults: models, whole completions, authorization and request errors.
import JSON
import StandIn
import Testing

@Suite struct RoutesTests {
    @Test func modelsListTheConfiguredModels() throws {
        try withServer { _, port in
            let response = try request(port, "GET", "/v1/models")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.json?["object"] == "list")
            let models = response.json?["data"]?.array ?? []
            #expect(models.compactMap { $0["id"]?.string } == ["standin-chat", "standin-embed"])
            #expect(models.allSatisfy { $0["object"] == "model" && $0["owned_by"]?.string != nil })
        }
    }

    @Test func wholeCompletionCarriesTheAnswerAndUsage() throws {
        try withServer { _, port in
            let response = try chat(port, stream: false)
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(json["object"] == "chat.completion")
            #expect(json["id"]?.string?.hasPrefix("chatcmpl-") == true)
            #expect(json["model"] == "standin-chat")
            let answer = JSONValue.string(StandInConfiguration.defaultAnswer)
            #expect(json["choices"]?[0]?["message"] == ["role": "assistant", "content": answer])
            #expect(json["choices"]?[0]?["finish_reason"] == "stop")
            let usage = try #require(json["usage"])
            let prompt = try #require(usage["prompt_tokens"]?.int64)
            let completion = try #require(usage["completion_tokens"]?.int64)
            #expect(prompt > 0 && completion > 10)
            #expect(usage["total_tokens"]?.int64 == prompt + completion)
        }
    }

    @Test(arguments: [
        (key: nil, authorization: nil, status: 200),
        ("sk-test", nil, 401),
        ("sk-test", "Bearer sk-wrong", 401),
        ("sk-test", "Basic sk-test", 401),
        ("sk-test", "Bearer sk-test", 200),
        ("sk-test", "bearer sk-test", 200),
    ] as [(key: String?, authorization: String?, status: Int)])
    func authorization(key: String?, authorization: String?, status: Int) throws {
        try withServer(StandInConfiguration(apiKey: key, tokensPerSecond: 0)) { _, port in
            let response = try request(port, "GET", "/v1/models",
                                       headers: authorization.map { [("Authorization", $0)] } ?? [])
            #expect(response.status == status)
            if status == 401 {
                let error = try #require(response.json?["error"])
                #expect(error["code"] == "invalid_api_key")
                #expect(error["type"] == "invalid_request_error")
                #expect(error["param"] == .null)
                #expect(error["message"]?.string?.isEmpty == false)
            }
        }
    }

    @Test func unknownModelIs404ModelNotFound() throws {
        try withServer { _, port in
            let response = try request(port, "POST", "/v1/chat/completions", body: chatBody(model: "gpt-9"))
            #expect(response.status == 404)
            #expect(response.json?["error"]?["code"] == "model_not_found")
            #expect(response.json?["error"]?["message"]?.string?.hasPrefix("The model `gpt-9` does not exist") == true)
        }
    }

    @Test(arguments: [("GET", "/v1/chat/completions"), ("POST", "/v1/models"), ("GET", "/v2/nothing")])
    func unknownRouteIs404(method: String, path: String) throws {
        try withServer { _, port in
            let response = try request(port, method, path)
            #expect(response.status == 404)
            #expect(response.json?["error"]?["message"] == .string("Invalid URL (\(method) \(path))"))
        }
    }

    @Test(arguments: ["{not json", "[1,2]", ""])
    func bodyThatIsNotAJSONObjectIs400(body: String) throws {
        try withServer { _, port in
            let response = try request(port, "POST", "/v1/chat/completions", body: Array(body.utf8))
            #expect(response.status == 400)
            #expect(response.json?["error"]?["type"] == "invalid_request_error")
        }
    }

    @Test func missingMessagesIs400() throws {
        try withServer { _, port in
            let body = Array(#"{"model":"standin-chat"}"#.utf8)
            let response = try request(port, "POST", "/v1/chat/completions", body: body)
            #expect(response.status == 400)
            #expect(response.json?["error"]?["param"] == "messages")
        }
    }

    @Test func bodyOverOneMebibyteIs413() throws {
        try withServer { _, port in
            let connection = try RawConnection(port: port)
            try connection.send(Array("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n{".utf8))
            let response = try connection.readResponse()
            #expect(response.status == 413)
            #expect(response.json?["error"]?["message"]?.string?.contains("2000000") == true)
        }
    }

    @Test func requestsAreRecordedInOrder() throws {
        try withServer { server, port in
            _ = try request(port, "GET", "/v1/models", headers: [("X-Trace", "one")])
            _ = try chat(port, stream: false)
            let requests = server.requests
            #expect(requests.map(\.method) == ["GET", "POST"])
            #expect(requests.map(\.path) == ["/v1/models", "/v1/chat/completions"])
            #expect(requests[0].header("x-trace") == "one")
            #expect(requests[1].json?["model"] == "standin-chat")
            server.clearRequests()
            #expect(server.requests.isEmpty)
        }
    }
}
