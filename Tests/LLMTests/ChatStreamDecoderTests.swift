// ChatStreamDecoder against the chunk shapes OpenAI-compatible servers send: OpenAI, Ollama, llama.cpp, vLLM,
// OpenRouter; errors in the stream; and the non-streaming fallback.

import Testing
@testable import LLM

/// One event's data and what it must decode to.
struct ChunkCase: Sendable, CustomTestStringConvertible {
    let name: String
    let event: SSEEvent
    let deltas: [ChatDelta]
    var testDescription: String { name }

    init(_ name: String, _ data: String, type: String = "message", _ deltas: [ChatDelta]) {
        self.name = name
        self.event = SSEEvent(type: type, data: data)
        self.deltas = deltas
    }
}

/// One event that must throw, and the error.
struct FailingChunkCase: Sendable, CustomTestStringConvertible {
    let name: String
    let event: SSEEvent
    let error: LLMError
    var testDescription: String { name }

    init(_ name: String, _ data: String, type: String = "message", _ error: LLMError) {
        self.name = name
        self.event = SSEEvent(type: type, data: data)
        self.error = error
    }
}

@Suite struct ChatStreamDecoderTests {
    /// A whole stream through SSEParser and ChatStreamDecoder, as the client runs it.
    static func decodeStream(_ text: String, pieceSize: Int? = nil) throws -> (deltas: [ChatDelta], decoder: ChatStreamDecoder) {
        var parser = SSEParser()
        var decoder = ChatStreamDecoder()
        var deltas: [ChatDelta] = []
        let bytes = Array(text.utf8)
        for piece in pieceSize.map({ SSEParserTests.pieces(bytes, size: $0) }) ?? [bytes] {
            for event in try parser.feed(piece) { deltas += try decoder.decode(event) }
        }
        for event in parser.finish() { deltas += try decoder.decode(event) }
        return (deltas, decoder)
    }

    static let cases: [ChunkCase] = [
        ChunkCase("role-only first chunk", #"{"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#, []),
        ChunkCase("role with empty content", #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#, []),
        ChunkCase("role with null content", #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}"#, []),
        ChunkCase("content", #"{"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#, [.text("Hel")]),
        ChunkCase("content with escapes", #"{"choices":[{"delta":{"content":"a\n\"b\" \u00e9\ud83c\udf89"}}]}"#,
                  [.text("a\n\"b\" é🎉")]),
        ChunkCase("empty delta", #"{"choices":[{"index":0,"delta":{}}]}"#, []),
        ChunkCase("reasoning_content (DeepSeek, llama.cpp)", #"{"choices":[{"delta":{"reasoning_content":"Hmm"}}]}"#,
                  [.thinking("Hmm")]),
        ChunkCase("reasoning (OpenRouter, Ollama)", #"{"choices":[{"delta":{"content":"","reasoning":"Hmm"}}]}"#,
                  [.thinking("Hmm")]),
        ChunkCase("reasoning and reasoning_content together: once",
                  #"{"choices":[{"delta":{"reasoning":"Hmm","reasoning_content":"Hmm"}}]}"#, [.thinking("Hmm")]),
        ChunkCase("null reasoning_content falls back to reasoning",
                  #"{"choices":[{"delta":{"reasoning_content":null,"reasoning":"Hmm"}}]}"#, [.thinking("Hmm")]),
        ChunkCase("thinking and text in one chunk: thinking first",
                  #"{"choices":[{"delta":{"content":"A","reasoning_content":"R"}}]}"#, [.thinking("R"), .text("A")]),
        ChunkCase("finish_reason stop", #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
                  [.finished(reason: "stop")]),
        ChunkCase("finish_reason length with last text", #"{"choices":[{"delta":{"content":"."},"finish_reason":"length"}]}"#,
                  [.text("."), .finished(reason: "length")]),
        ChunkCase("finish_reason null", #"{"choices":[{"delta":{"content":"x"},"finish_reason":null}]}"#, [.text("x")]),
        ChunkCase("usage chunk with empty choices",
                  #"{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}"#,
                  [.usage(Usage(promptTokens: 9, completionTokens: 12, totalTokens: 21))]),
        ChunkCase("usage without total", #"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12}}"#,
                  [.usage(Usage(promptTokens: 9, completionTokens: 12, totalTokens: 21))]),
        ChunkCase("usage null (vLLM, every chunk)", #"{"choices":[{"delta":{"content":"x"}}],"usage":null}"#, [.text("x")]),
        ChunkCase("usage with finish in one chunk (llama.cpp)",
                  #"{"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"usage":{"completion_tokens":2,"prompt_tokens":3,"total_tokens":5}}"#,
                  [.finished(reason: "stop"), .usage(Usage(promptTokens: 3, completionTokens: 2, totalTokens: 5))]),
        ChunkCase("only the first choice", #"{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]}"#, [.text("a")]),
        ChunkCase("no choices at all", #"{"id":"x","object":"chat.completion.chunk"}"#, []),
        ChunkCase("error null is no error", #"{"error":null,"choices":[{"delta":{"content":"x"}}]}"#, [.text("x")]),
        ChunkCase("blank data", "  \n ", []),
        ChunkCase("empty data", "", []),
    ]

    @Test(arguments: cases)
    func decodesAChunk(_ test: ChunkCase) throws {
        var decoder = ChatStreamDecoder()
        #expect(try decoder.decode(test.event) == test.deltas)
        #expect(!decoder.isDone)
    }

    // MARK: [DONE]

    @Test(arguments: ["[DONE]", " [DONE]", "[DONE] ", "\t[DONE]\r\n", "\n[DONE]\n"])
    func doneMarksTheStreamComplete(_ data: String) throws {
        var decoder = ChatStreamDecoder()
        #expect(try decoder.decode(SSEEvent(data: data)) == [])
        #expect(decoder.isDone)
        // Anything after it is ignored.
        #expect(try decoder.decode(SSEEvent(data: #"{"choices":[{"delta":{"content":"late"}}]}"#)) == [])
        #expect(try decoder.decode(SSEEvent(data: "not json")) == [])
        #expect(decoder.characters == 0)
    }

    @Test(arguments: ["[DONE", "[done]", "[DONE]x", "[ DONE ]"])
    func almostDoneIsNotJSON(_ data: String) throws {
        var decoder = ChatStreamDecoder()
        #expect(throws: LLMError.self) { try decoder.decode(SSEEvent(data: data)) }
        #expect(!decoder.isDone)
    }

    // MARK: Errors

    static let failures: [FailingChunkCase] = [
        FailingChunkCase("error object (OpenAI, Ollama)",
                         #"{"error":{"message":"model overloaded","type":"server_error","param":null,"code":null}}"#,
                         .upstream(status: nil, message: "model overloaded")),
        FailingChunkCase("error object with choices (OpenRouter)",
                         #"{"id":"gen-1","object":"chat.completion.chunk","error":{"code":502,"message":"Provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}"#,
                         .upstream(status: nil, message: "Provider disconnected")),
        FailingChunkCase("error object (llama.cpp)",
                         #"{"error":{"code":500,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}"#,
                         .upstream(status: nil, message: "the request exceeds the available context size")),
        FailingChunkCase("error string", #"{"error":"something broke"}"#, .upstream(status: nil, message: "something broke")),
        FailingChunkCase("error object without message", #"{"error":{"code":500}}"#,
                         .upstream(status: nil, message: #"{"code":500}"#)),
        FailingChunkCase("object error (older vLLM)",
                         #"{"object":"error","message":"Out of memory","type":"InternalServerError","param":null,"code":500}"#,
                         .upstream(status: nil, message: "Out of memory")),
        FailingChunkCase("event error with JSON", #"{"message":"rate limited"}"#, type: "error",
                         .upstream(status: nil, message: "rate limited")),
        FailingChunkCase("event error with an error object", #"{"error":{"message":"boom"}}"#, type: "error",
                         .upstream(status: nil, message: "boom")),
        FailingChunkCase("event error (llama.cpp error: field)", #"{"code":500,"message":"boom","type":"server_error"}"#,
                         type: "error", .upstream(status: nil, message: "boom")),
        FailingChunkCase("event error with text", "the backend went away", type: "error",
                         .upstream(status: nil, message: "the backend went away")),
        FailingChunkCase("event error without data", "", type: "error",
                         .upstream(status: nil, message: "the server reported an error in the stream")),
        FailingChunkCase("malformed JSON", #"{"choices":[{"delta":{"content":"x"}}"#,
                         .badResponse(message: #"stream data that is not JSON (not JSON at byte 37: unexpectedEnd): {"choices":[{"delta":{"content":"x"}}"#)),
        FailingChunkCase("plain text", "Internal Server Error",
                         .badResponse(message: "stream data that is not JSON (not JSON at byte 0: unexpectedByte(73)): Internal Server Error")),
        FailingChunkCase("a JSON array", "[1,2]", .badResponse(message: "stream data that is not a JSON object: [1,2]")),
        FailingChunkCase("a JSON string", #""hello""#, .badResponse(message: #"stream data that is not a JSON object: "hello""#)),
        FailingChunkCase("JSON null", "null", .badResponse(message: "stream data that is not a JSON object: null")),
    ]

    @Test(arguments: failures)
    func throwsOnError(_ test: FailingChunkCase) {
        var decoder = ChatStreamDecoder()
        #expect(throws: test.error) { try decoder.decode(test.event) }
    }

    @Test func longBadDataIsTruncated() throws {
        var decoder = ChatStreamDecoder()
        let junk = String(repeating: "é", count: 5000)
        do {
            _ = try decoder.decode(SSEEvent(data: junk))
            Issue.record("no error")
        } catch let error {
            guard case .badResponse(let message) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(message.hasSuffix(String(repeating: "é", count: 200) + "…"))
            #expect(message.count < 300)
        }
    }

    // MARK: Characters

    @Test func countsCharactersOfTextOnly() throws {
        var decoder = ChatStreamDecoder()
        for data in [
            #"{"choices":[{"delta":{"reasoning_content":"long thought"}}]}"#,
            #"{"choices":[{"delta":{"content":"Grüße"}}]}"#,
            #"{"choices":[{"delta":{"content":" 🎉!"}}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
        ] {
            _ = try decoder.decode(SSEEvent(data: data))
        }
        #expect(decoder.characters == 8)
    }

    // MARK: Whole streams from real servers

    /// What each server sends for "Say hi", as captured from their OpenAI-compatible endpoints (ids shortened).
    static let servers: [(String, String, [ChatDelta])] = [
        ("OpenAI", """
            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}],"usage":null}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_0ba0d124f1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

            data: [DONE]


            """,
         [.text("Hi"), .text(" there"), .finished(reason: "stop"),
          .usage(Usage(promptTokens: 9, completionTokens: 2, totalTokens: 11))]),
        ("Ollama", """
            data: {"id":"chatcmpl-768","object":"chat.completion.chunk","created":1744445346,"model":"qwen3:4b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"User greets."},"finish_reason":null}]}

            data: {"id":"chatcmpl-768","object":"chat.completion.chunk","created":1744445346,"model":"qwen3:4b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

            data: {"id":"chatcmpl-768","object":"chat.completion.chunk","created":1744445346,"model":"qwen3:4b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"!"},"finish_reason":null}]}

            data: {"id":"chatcmpl-768","object":"chat.completion.chunk","created":1744445346,"model":"qwen3:4b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}

            data: {"id":"chatcmpl-768","object":"chat.completion.chunk","created":1744445346,"model":"qwen3:4b","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":6,"total_tokens":17}}

            data: [DONE]


            """,
         [.thinking("User greets."), .text("Hi"), .text("!"), .finished(reason: "stop"),
          .usage(Usage(promptTokens: 11, completionTokens: 6, totalTokens: 17))]),
        ("llama.cpp", """
            data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1762593253,"id":"chatcmpl-DHv","model":"gpt-oss:20b","system_fingerprint":"b6881-8b11deea4","object":"chat.completion.chunk"}

            data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":"We"}}],"created":1762593253,"id":"chatcmpl-DHv","model":"gpt-oss:20b","system_fingerprint":"b6881-8b11deea4","object":"chat.completion.chunk","timings":{"prompt_n":10,"prompt_ms":251.51,"predicted_n":1,"predicted_ms":14.5,"predicted_per_second":68.69}}

            data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}],"created":1762593253,"id":"chatcmpl-DHv","model":"gpt-oss:20b","system_fingerprint":"b6881-8b11deea4","object":"chat.completion.chunk","timings":{"prompt_n":10,"prompt_ms":251.51,"predicted_n":2,"predicted_ms":29.1,"predicted_per_second":68.7}}

            data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1762593253,"id":"chatcmpl-DHv","model":"gpt-oss:20b","system_fingerprint":"b6881-8b11deea4","object":"chat.completion.chunk","usage":{"completion_tokens":3,"prompt_tokens":10,"total_tokens":13},"timings":{"prompt_n":10,"prompt_ms":251.51,"predicted_n":3,"predicted_ms":43.6,"predicted_per_second":68.8}}

            data: [DONE]


            """,
         [.thinking("We"), .text("Hi"), .finished(reason: "stop"),
          .usage(Usage(promptTokens: 10, completionTokens: 3, totalTokens: 13))]),
        ("vLLM", """
            data: {"id":"chatcmpl-9f","object":"chat.completion.chunk","created":1730000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

            data: {"id":"chatcmpl-9f","object":"chat.completion.chunk","created":1730000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning_content":"Greeting."},"logprobs":null,"finish_reason":null}]}

            data: {"id":"chatcmpl-9f","object":"chat.completion.chunk","created":1730000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}

            data: {"id":"chatcmpl-9f","object":"chat.completion.chunk","created":1730000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}

            data: {"id":"chatcmpl-9f","object":"chat.completion.chunk","created":1730000000,"model":"Qwen/Qwen3-8B","choices":[],"usage":{"prompt_tokens":12,"total_tokens":20,"completion_tokens":8}}

            data: [DONE]


            """,
         [.thinking("Greeting."), .text("Hello"), .finished(reason: "stop"),
          .usage(Usage(promptTokens: 12, completionTokens: 8, totalTokens: 20))]),
        ("OpenRouter, with comments", """
            : OPENROUTER PROCESSING

            : OPENROUTER PROCESSING

            data: {"id":"gen-1","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1740000000,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Think"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

            data: {"id":"gen-1","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1740000000,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi","reasoning":null},"finish_reason":"stop","native_finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":4,"completion_tokens":3,"total_tokens":7}}

            data: [DONE]


            """,
         [.thinking("Think"), .text("Hi"), .finished(reason: "stop"),
          .usage(Usage(promptTokens: 4, completionTokens: 3, totalTokens: 7))]),
    ]

    @Test(arguments: servers.map { ($0.0, $0.1, $0.2) }, [nil, 1, 7] as [Int?])
    func decodesAServersStream(_ server: (String, String, [ChatDelta]), pieceSize: Int?) throws {
        let (name, stream, expected) = server
        let crlf = stream.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        for text in [stream, crlf] {
            let (deltas, decoder) = try Self.decodeStream(text, pieceSize: pieceSize)
            #expect(deltas == expected, "\(name)")
            #expect(decoder.isDone, "\(name)")
        }
    }

    @Test func llamaCppErrorFieldThrowsUpstream() throws {
        let stream = """
            data: {"choices":[{"index":0,"delta":{"content":"Hi"}}],"object":"chat.completion.chunk"}

            error: {"code":500,"message":"the request exceeds the available context size","type":"server_error"}


            """
        #expect(throws: LLMError.upstream(status: nil, message: "the request exceeds the available context size")) {
            try Self.decodeStream(stream)
        }
    }

    @Test(arguments: [
        ("[DONE] with one LF at the end (llama.cpp)", "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n", true),
        ("[DONE] without line end", "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]", true),
        ("[DONE] missing", "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n", false),
        ("cut inside a chunk", "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"choi", false),
    ])
    func endOfStream(_ name: String, _ stream: String, _ done: Bool) throws {
        var parser = SSEParser()
        var decoder = ChatStreamDecoder()
        var deltas: [ChatDelta] = []
        for event in try parser.feed(Array(stream.utf8)) { deltas += try decoder.decode(event) }
        do {
            for event in parser.finish() { deltas += try decoder.decode(event) }
        } catch {
            // A chunk cut in the middle is not JSON: the client reports the stream as cut.
            #expect(!done, "\(name)")
        }
        #expect(deltas == [.text("Hi")], "\(name)")
        #expect(decoder.isDone == done, "\(name)")
        #expect(decoder.characters == 2, "\(name)")
    }

    // MARK: Non-streaming body (servers that ignore `stream: true`)

    static let completions: [(String, String, [ChatDelta])] = [
        ("OpenAI", """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,\
            "message":{"role":"assistant","content":"Hi there","refusal":null},"logprobs":null,"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11},"system_fingerprint":"fp_1"}
            """,
         [.text("Hi there"), .finished(reason: "stop"), .usage(Usage(promptTokens: 9, completionTokens: 2, totalTokens: 11))]),
        ("reasoning_content (vLLM, llama.cpp)", """
            {"choices":[{"finish_reason":"length","index":0,"message":{"role":"assistant","reasoning_content":"Hmm","content":"Hi"}}],\
            "created":1,"model":"m","object":"chat.completion","usage":{"completion_tokens":5,"prompt_tokens":4,"total_tokens":9},\
            "timings":{"prompt_n":4}}
            """,
         [.thinking("Hmm"), .text("Hi"), .finished(reason: "length"),
          .usage(Usage(promptTokens: 4, completionTokens: 5, totalTokens: 9))]),
        ("reasoning (Ollama)", """
            {"id":"chatcmpl-1","object":"chat.completion","model":"qwen3","system_fingerprint":"fp_ollama","choices":[{"index":0,\
            "message":{"role":"assistant","content":"Hi","reasoning":"Hmm"},"finish_reason":"stop"}]}
            """,
         [.thinking("Hmm"), .text("Hi"), .finished(reason: "stop")]),
        ("null content", #"{"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]}"#,
         [.finished(reason: "content_filter")]),
        ("empty choices", #"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}"#,
         [.usage(Usage(promptTokens: 1, completionTokens: 0, totalTokens: 1))]),
    ]

    @Test(arguments: completions.map { ($0.0, $0.1, $0.2) })
    func decodesACompletionBody(_ completion: (String, String, [ChatDelta])) throws {
        let (name, body, expected) = completion
        #expect(try ChatStreamDecoder.decodeCompletion(Array(body.utf8)) == expected, "\(name)")
    }

    @Test(arguments: [
        (#"{"error":{"message":"model not loaded","type":"invalid_request_error"}}"#,
         LLMError.upstream(status: nil, message: "model not loaded")),
        (#"{"object":"chat.completion","model":"m"}"#,
         LLMError.badResponse(message: #"a response without choices: {"object":"chat.completion","model":"m"}"#)),
        (#"{"choices":{"0":{}}}"#, LLMError.badResponse(message: #"a response without choices: {"choices":{"0":{}}}"#)),
        ("<html>Bad Gateway</html>",
         LLMError.badResponse(message: "a response that is not JSON (not JSON at byte 0: unexpectedByte(60)): <html>Bad Gateway</html>")),
        ("[]", LLMError.badResponse(message: "a response that is not a JSON object: []")),
    ])
    func completionBodyErrors(_ body: String, _ error: LLMError) {
        #expect(throws: error) { try ChatStreamDecoder.decodeCompletion(Array(body.utf8)) }
    }
}
