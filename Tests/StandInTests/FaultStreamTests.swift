// Faults that change how a stream ends or what it carries.
import JSON
import StandIn
import Testing

@Suite struct FaultStreamTests {
    /// Five tokens: "one ", "two ", "three ", "four ", "five".
    static let answer = "one two three four five"
    static var answerOption: String { "answer=\(base64URL(answer))" }

    @Test func cutAfterClosesWithoutFinishOrDone() throws {
        try withServer { server, port in
            let response = try chat(port, fault: "cut-after=3,\(Self.answerOption)")
            #expect(response.status == 200)
            #expect(response.ending == .closed)
            let stream = EventStream(response.body)
            #expect(stream.contents == ["one ", "two ", "three "])
            #expect(!stream.endsWithDone)
            #expect(stream.chunks.allSatisfy { $0["choices"]?[0]?["finish_reason"] == .null })
            #expect(server.waitUntil { server.openStreams == 0 })
            #expect(server.abandonedStreams == 0)
        }
    }

    @Test func cutAfterWithResetEndsInATCPReset() throws {
        try withServer { _, port in
            let connection = try openStream(port, fault: "cut-after=2,reset")
            #expect(try connection.readToEnd().ending == .reset)
        }
    }

    @Test func stallAfterKeepsTheConnectionOpenAndSilent() throws {
        try withServer { server, port in
            let connection = try openStream(port, fault: "stall-after=2,\(Self.answerOption)")
            let received = try connection.read(until: #""two ""#)
            #expect(connection.read(timeout: 0.3) == .timeout)
            #expect(!String(decoding: received, as: UTF8.self).contains("three"))
            #expect(server.openStreams == 1)
            connection.close()
            #expect(server.waitUntil { server.abandonedStreams == 1 && server.openStreams == 0 })
        }
    }

    @Test func stopEndsAStalledStreamWithoutCountingItAbandoned() throws {
        let server = StandInServer(configuration: StandInConfiguration(tokensPerSecond: 0))
        let port = try server.start()
        let connection = try openStream(port, fault: "stall-after=0")
        _ = try connection.read(until: #""role":"assistant""#)
        server.stop()
        #expect(try connection.readToEnd().ending == .closed)
        #expect(server.openStreams == 0)
        #expect(server.abandonedStreams == 0)
    }

    @Test func reasoningComesBeforeTheAnswer() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "reasoning=3,\(Self.answerOption)", includeUsage: true)
            let stream = EventStream(response.body)
            let kinds = stream.deltas.dropFirst().compactMap { delta -> String? in
                delta["reasoning_content"] != nil ? "reasoning" : delta["content"] != nil ? "content" : nil
            }
            #expect(kinds == Array(repeating: "reasoning", count: 3) + Array(repeating: "content", count: 5))
            #expect(stream.deltas.compactMap { $0["reasoning_content"]?.string }.allSatisfy { !$0.isEmpty })
            #expect(stream.content == Self.answer)
            #expect(stream.chunks.last?["usage"]?["completion_tokens"] == 8)
            #expect(stream.endsWithDone)
        }
    }

    @Test func errorAfterSendsAnErrorEventThenCloses() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "error-after=2,\(Self.answerOption)")
            #expect(response.ending == .closed)
            let stream = EventStream(response.body)
            #expect(stream.contents == ["one ", "two "])
            #expect(!stream.endsWithDone)
            let error = try #require(stream.chunks.last?["error"])
            #expect(error["type"] == "server_error")
            #expect(error["code"] == .null)
            #expect(error["message"]?.string?.isEmpty == false)
        }
    }

    @Test(arguments: [false, true])
    func noDoneFinishesWithoutDone(includeUsage: Bool) throws {
        try withServer { _, port in
            let response = try chat(port, fault: "no-done,\(Self.answerOption)", includeUsage: includeUsage)
            let stream = EventStream(response.body)
            #expect(stream.content == Self.answer)
            #expect(!stream.endsWithDone)
            let last = try #require(stream.chunks.last)
            if includeUsage {
                #expect(last["usage"]?["completion_tokens"] == 5)
            } else {
                #expect(last["choices"]?[0]?["finish_reason"] == "stop")
            }
        }
    }

    @Test func firstTokenDelayHoldsBackTheFirstToken() throws {
        try withServer { _, port in
            let connection = try openStream(port, fault: "first-token-delay=0.3,token-delay=0")
            _ = try connection.read(until: #""role":"assistant""#)
            let start = monotonicNow()
            _ = try connection.read(until: #""content":"Quarry "#)
            #expect(monotonicNow() - start >= 250_000_000)
        }
    }

    @Test func clientLeavingMidStreamIsCountedAbandoned() throws {
        try withServer { server, port in
            let connection = try openStream(port, fault: "token-delay=0.05")
            _ = try connection.read(until: #""content":"Quarry "#)
            #expect(server.openStreams == 1)
            connection.close()
            #expect(server.waitUntil { server.abandonedStreams == 1 })
            #expect(server.openStreams == 0)
            #expect(server.completedStreams == 0)
        }
    }
}
