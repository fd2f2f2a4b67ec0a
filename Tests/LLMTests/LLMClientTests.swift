import Curl
import JSON
import Testing
@testable import LLM
import StandIn

@Suite struct LLMClientStreamingTests {
    @Test func streamsTheAnswerExactlyWithItsEnding() async throws {
        let harness = try Harness()
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error == nil)
        #expect(deltas.text == StandInConfiguration.defaultAnswer)
        #expect(deltas.contains(.finished(reason: "stop")))
        #expect(deltas.contains { if case .usage(let usage) = $0 { usage.completionTokens > 0 } else { false } })
        let request = try #require(harness.server.requests.last)
        #expect(request.path == "/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer test-key")
        #expect(request.json?["stream"] == .bool(true))
        #expect(request.json?["stream_options"]?["include_usage"] == .bool(true))
        #expect(request.json?["model"]?.string == "standin-chat")
        #expect(request.json?["messages"]?[0]?["content"]?.string == "What is a quarry?")
    }

    @Test(arguments: ["crlf", "no-space", "comments", "split", "no-done", "crlf,split,comments,no-space"])
    func framingVariantsGiveTheSameText(fault: String) async throws {
        let answer = "Ünïcödé — quarries, “stone” & 😀 emoji.\nSecond line: `code`."
        let encoded = ByteEncodingForTests.base64URL(answer)
        let harness = try Harness(fault: "\(fault),answer=\(encoded)")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error == nil, "\(fault)")
        #expect(deltas.text == answer, "\(fault)")
    }

    @Test func reasoningArrivesAsThinkingNotAnswer() async throws {
        let harness = try Harness(fault: "reasoning=3")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error == nil)
        #expect(!deltas.thinking.isEmpty)
        #expect(deltas.text == StandInConfiguration.defaultAnswer)
        let firstText = deltas.firstIndex { if case .text = $0 { true } else { false } }!
        let lastThinking = deltas.lastIndex { if case .thinking = $0 { true } else { false } }!
        #expect(lastThinking < firstText)
    }

    @Test func fiftyConcurrentStreamsAllCompleteExactly() async throws {
        let harness = try Harness(server: StandInConfiguration(apiKey: "test-key", tokensPerSecond: 500))
        defer { harness.server.stop() }
        let texts = await withTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { await harness.collect().deltas.text } }
            var texts: [String] = []
            for await text in group { texts.append(text) }
            return texts
        }
        #expect(texts.count == 50)
        #expect(texts.allSatisfy { $0 == StandInConfiguration.defaultAnswer })
    }
}

@Suite struct LLMClientFailureTests {
    @Test(arguments: [
        ("status=401", LLMError.keyRejected(status: 401, message: "")),
        ("status=403", .keyRejected(status: 403, message: "")),
        ("status=404", .modelNotFound(model: "standin-chat", message: "")),
        ("status=400", .upstream(status: 400, message: "")),
    ])
    func refusalsAreTypedAndNotRetried(fault: String, expected: LLMError) async throws {
        let harness = try Harness(fault: fault)
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        let failure = try #require(error as? LLMError)
        #expect(failure.sameKind(as: expected), "\(failure)")
        #expect(deltas.retries.isEmpty)
        #expect(harness.server.requests.count == 1)
        #expect(!failure.userMessage.isEmpty)
    }

    @Test func aWrongKeyIsRejected() async throws {
        let harness = try Harness { $0.apiKey = "wrong" }
        defer { harness.server.stop() }
        let error = await harness.collect().error as? LLMError
        guard case .keyRejected(401, let message)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(!message.isEmpty, "the server's own message is kept for the log")
    }

    @Test func rateLimitsAreRetriedHonouringRetryAfterThenSucceed() async throws {
        let harness = try Harness({ $0.maxRetryDelay = .seconds(2) }, fault: "status=429,retry-after=1,times=2")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error == nil)
        #expect(deltas.text == StandInConfiguration.defaultAnswer)
        #expect(deltas.retries.map(\.attempt) == [2, 3])
        #expect(deltas.retries.allSatisfy { $0.after == .seconds(1) })
        #expect(harness.server.requests.count == 3)
    }

    @Test func aRetryAfterLongerThanThePatienceEndsAtOnce() async throws {
        let harness = try Harness(fault: "status=429,retry-after=120")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        guard case .rateLimited(let after?, _)? = error as? LLMError else { Issue.record("\(String(describing: error))"); return }
        #expect(after == .seconds(120))
        #expect(deltas.retries.isEmpty)
        #expect((error as? LLMError)?.userMessage.contains("120 seconds") == true)
    }

    @Test func serverFailuresAreRetriedWithGrowingWaitsThenReported() async throws {
        let harness = try Harness(fault: "status=503")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        guard case .upstream(503, let message)? = error as? LLMError else { Issue.record("\(String(describing: error))"); return }
        #expect(!message.isEmpty)
        #expect(deltas.retries.map(\.attempt) == [2, 3])
        #expect(harness.server.requests.count == 3)
    }

    @Test func aServerThatRecoversIsNoticed() async throws {
        let harness = try Harness(fault: "status=500,times=1")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error == nil)
        #expect(deltas.retries.count == 1)
        #expect(deltas.text == StandInConfiguration.defaultAnswer)
    }

    @Test func aStreamCutMidAnswerKeepsTheTextAndIsNotRetried() async throws {
        let harness = try Harness(fault: "cut-after=5")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        guard case .streamCut(let characters)? = error as? LLMError else { Issue.record("\(String(describing: error))"); return }
        #expect(characters == deltas.text.count && characters > 0)
        #expect(StandInConfiguration.defaultAnswer.hasPrefix(deltas.text))
        #expect(deltas.retries.isEmpty)
        #expect(harness.server.requests.count == 1)
    }

    @Test func anErrorInsideTheStreamEndsItKeepingTheText() async throws {
        let harness = try Harness(fault: "error-after=4")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        guard case .upstream(nil, let message)? = error as? LLMError else { Issue.record("\(String(describing: error))"); return }
        #expect(!message.isEmpty)
        #expect(!deltas.text.isEmpty)
    }

    @Test func aStalledAnswerTimesOutAsIdle() async throws {
        let harness = try Harness({ $0.idleTimeout = .milliseconds(500) }, fault: "stall-after=3")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error as? LLMError == .timedOut(.idle))
        #expect(!deltas.text.isEmpty)
        #expect(harness.server.waitUntil(timeout: 5) { harness.server.openStreams == 0 }, "the transfer was ended")
    }

    @Test func aSlowFirstTokenTimesOut() async throws {
        let harness = try Harness({ $0.firstTokenTimeout = .milliseconds(400) }, fault: "first-token-delay=3")
        defer { harness.server.stop() }
        let (deltas, error) = await harness.collect()
        #expect(error as? LLMError == .timedOut(.firstToken))
        #expect(deltas.text.isEmpty && deltas.retries.isEmpty)
    }

    @Test func nobodyListeningIsUnreachableAfterRetries() async throws {
        let harness = try Harness()
        let port = harness.server.port
        harness.server.stop()
        var configuration = harness.client.configuration
        configuration.baseURL = "http://127.0.0.1:\(port)/v1"
        let client = LLMClient(configuration: configuration, multi: sharedMulti)
        var deltas: [ChatDelta] = []
        var failure: (any Error)?
        do { for try await delta in client.streamChat([ChatMessage(role: "user", content: "hi")]) { deltas.append(delta) } }
        catch { failure = error }
        guard case .unreachable? = failure as? LLMError else { Issue.record("\(String(describing: failure))"); return }
        #expect(deltas.retries.count == 2)
    }

    @Test func cancellingMidStreamEndsTheTransferAndFreesIt() async throws {
        // A long answer (300 s at this pace): however busy the machine (ThreadSanitizer, the whole suite at once),
        // the stream is still going when the consumer stops reading and while the test waits, so only the
        // cancellation can end it early.
        let long = ByteEncodingForTests.base64URL((0..<3000).map { "word\($0)" }.joined(separator: " "))
        let harness = try Harness(fault: "token-delay=0.1,answer=\(long)")
        defer { harness.server.stop() }
        // A multi of its own, so other tests' transfers do not count.
        let multi = try CurlMulti()
        defer { multi.shutdown() }
        let client = LLMClient(configuration: harness.client.configuration, multi: multi)
        // Read in a function of its own: the stream's iterator, whose release is what tells the stream the consumer
        // left, is certainly gone when it returns (the optimiser may keep a loop's iterator to the end of its scope).
        func readTwo() async throws -> Int {
            var received = 0
            for try await delta in client.streamChat([ChatMessage(role: "user", content: "hi")]) {
                if case .text = delta { received += 1 }
                if received == 2 { break }
            }
            return received
        }
        let received = try await readTwo()
        let abandoned = harness.server.waitUntil(timeout: 60) { harness.server.abandonedStreams == 1 }
        #expect(abandoned, "abandoned \(harness.server.abandonedStreams) completed \(harness.server.completedStreams) open \(harness.server.openStreams) active \(multi.activeTransfers) received \(received)")
        #expect(harness.server.openStreams == 0)
        #expect(harness.server.waitUntil(timeout: 5) { multi.activeTransfers == 0 })
    }
}

@Suite struct EmbeddingsTests {
    @Test func embeddingsRoundTrip() async throws {
        let harness = try Harness()
        defer { harness.server.stop() }
        let texts = ["quarry stone granite", "quarry stone marble", "printer toner"]
        let vectors = try await harness.client.embeddings(texts)
        #expect(vectors.count == 3 && vectors.allSatisfy { $0.count == 64 })
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map(*).reduce(0, +) }
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]))
        #expect(try await harness.client.embeddings([texts[0]]) == [vectors[0]], "deterministic")
        #expect(harness.server.requests.last?.json?["model"]?.string == "standin-embed")
    }

    @Test func embeddingsFailuresAreTyped() async throws {
        let harness = try Harness(fault: "status=401")
        defer { harness.server.stop() }
        await #expect(throws: LLMError.self) { try await harness.client.embeddings(["x"]) }
    }
}

extension LLMError {
    /// The same case, messages aside.
    func sameKind(as other: LLMError) -> Bool {
        switch (self, other) {
        case (.keyRejected(let a, _), .keyRejected(let b, _)): a == b
        case (.modelNotFound(let a, _), .modelNotFound(let b, _)): a == b
        case (.upstream(let a, _), .upstream(let b, _)): a == b
        case (.rateLimited, .rateLimited): true
        default: self == other
        }
    }
}

enum ByteEncodingForTests {
    static func base64URL(_ text: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let bytes = Array(text.utf8)
        var out = "", i = 0
        while i < bytes.count {
            let chunk = bytes[i..<min(i + 3, bytes.count)]
            var n = 0
            for (k, b) in chunk.enumerated() { n |= Int(b) << (16 - 8 * k) }
            for k in 0..<(chunk.count + 1) { out.append(alphabet[(n >> (18 - 6 * k)) & 63]) }
            i += 3
        }
        return out
    }
}
