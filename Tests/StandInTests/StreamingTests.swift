// Streamed completions without faults: OpenAI's framing and chunks, exactly.
import JSON
import StandIn
import Testing

@Suite struct StreamingTests {
    @Test(arguments: [nil, false, true] as [Bool?])
    func streamIsFramedAndChunkedAsOpenAI(includeUsage: Bool?) throws {
        try withServer { _, port in
            let response = try chat(port, includeUsage: includeUsage)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/event-stream; charset=utf-8")
            #expect(response.header("Content-Length") == nil)
            #expect(response.ending == .closed)

            // Every event is exactly `data: <payload>\n\n`.
            let blocks = response.text.split(separator: "\n\n", omittingEmptySubsequences: false)
            #expect(blocks.last == "")
            #expect(blocks.dropLast().allSatisfy { $0.hasPrefix("data: ") && !$0.contains("\n") })
            #expect(response.text.hasSuffix("\n\ndata: [DONE]\n\n"))

            let stream = EventStream(response.body)
            #expect(stream.endsWithDone)
            let chunks = stream.chunks
            let id = try #require(chunks.first?["id"]?.string)
            #expect(id.hasPrefix("chatcmpl-"))
            #expect(chunks.allSatisfy {
                $0["id"]?.string == id && $0["object"] == "chat.completion.chunk" && $0["model"] == "standin-chat"
                    && $0["created"]?.int64 != nil
            })
            #expect(stream.deltas.first == ["role": "assistant", "content": ""])
            #expect(stream.content == StandInConfiguration.defaultAnswer)

            let usageChunks = chunks.filter { $0["choices"]?.array?.isEmpty == true }
            let choiceChunks = chunks.filter { $0["choices"]?.array?.isEmpty == false }
            let finish = try #require(choiceChunks.last?["choices"]?[0])
            #expect(finish["delta"] == [:])
            #expect(finish["finish_reason"] == "stop")
            #expect(choiceChunks.dropLast().allSatisfy { $0["choices"]?[0]?["finish_reason"] == .null })

            if includeUsage == true {
                #expect(usageChunks.count == 1)
                #expect(chunks.last == usageChunks.first)
                let usage = try #require(usageChunks.first?["usage"])
                #expect(usage["completion_tokens"]?.int64 == Int64(stream.contents.count))
                let prompt = try #require(usage["prompt_tokens"]?.int64)
                #expect(usage["total_tokens"]?.int64 == prompt + Int64(stream.contents.count))
                #expect(choiceChunks.allSatisfy { $0["usage"] == .null })
            } else {
                #expect(usageChunks.isEmpty)
                #expect(chunks.allSatisfy { $0["usage"] == nil })
            }
        }
    }

    @Test func eachTokenIsAWordWithItsFollowingSpace() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "answer=\(base64URL("Hello wide  world,\nextraordinarily fine"))")
            let expected = ["Hello ", "wide  ", "world,\n", "extrao", "rdinar", "ily ", "fine"]
            #expect(EventStream(response.body).contents == expected)
        }
    }

    @Test func configuredAnswerIsStreamed() throws {
        try withServer(StandInConfiguration(answer: "Only this.", tokensPerSecond: 0)) { _, port throws in
            #expect(try EventStream(chat(port).body).content == "Only this.")
        }
    }
}
