// Faults that change the bytes of the stream but not its meaning, and the ones that change its text.
import JSON
import Testing
@testable import StandIn

@Suite struct FaultFramingTests {
    /// Multi-byte UTF-8 of two, three and four bytes, so that `split` cuts inside characters.
    static let answer = "Café — naïve 😀 done."
    static var answerOption: String { "answer=\(base64URL(answer))" }

    @Test func crlfEndsEveryLineInCRLF() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "crlf,\(Self.answerOption)")
            let body = response.body
            #expect(body.indices.filter { body[$0] == 10 }.allSatisfy { $0 > 0 && body[$0 - 1] == 13 })
            #expect(response.text.hasSuffix("data: [DONE]\r\n\r\n"))
            #expect(EventStream(body).content == Self.answer)
        }
    }

    @Test func noSpaceWritesDataWithoutTheSpace() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "no-space,\(Self.answerOption)")
            let lines = response.text.split(separator: "\n")
            #expect(lines.allSatisfy { $0.hasPrefix("data:{") || $0 == "data:[DONE]" })
            #expect(EventStream(response.body).content == Self.answer)
        }
    }

    @Test func commentsInterleaveKeepAlives() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "comments,\(Self.answerOption)")
            let stream = EventStream(response.body)
            #expect(stream.comments.count == stream.data.count)
            #expect(stream.comments.allSatisfy { $0 == ": keep-alive" })
            #expect(response.text.contains(": keep-alive\n\ndata: "))  // a comment block of its own
            #expect(response.text.contains(": keep-alive\ndata: "))  // a comment line inside an event
            #expect(stream.content == Self.answer)
            #expect(stream.endsWithDone)
        }
    }

    @Test(arguments: [false, true])
    func splitReassemblesToTheUnsplitStream(crlf: Bool) throws {
        try withServer { _, port in
            let options = (crlf ? "crlf," : "") + Self.answerOption
            let whole = try chat(port, fault: options, includeUsage: true)
            let split = try chat(port, fault: "split," + options, includeUsage: true)
            #expect(try Self.normalized(split) == Self.normalized(whole))
            #expect(split.reads > EventStream(split.body).data.count)
            #expect(EventStream(split.body).content == Self.answer)
        }
    }

    @Test(arguments: ["\n", "\r\n"])
    func splitCutsInsideCharactersAndLineEnds(newline: String) {
        let event = Array("data: {\"content\":\"é—😀\"}\(newline)\(newline)".utf8)
        let cuts = EventWriter.cuts(event)
        #expect(cuts.first == 1)
        #expect(cuts.last == event.count - 1)  // between the last two bytes of the final line end
        for (index, byte) in event.enumerated() where byte >= 0xC0 {
            #expect(cuts.contains(index + 1))  // right after a lead byte: inside the character
        }
        #expect(cuts == cuts.sorted() && Set(cuts).count == cuts.count)
    }

    @Test func chunkedWrapsTheStreamInChunks() throws {
        try withServer { _, port in
            let response = try chat(port, fault: "chunked,\(Self.answerOption)")
            #expect(response.header("Transfer-Encoding") == "chunked")
            let stream = EventStream(try dechunk(response.body))
            #expect(stream.content == Self.answer)
            #expect(stream.endsWithDone)

            let cut = try chat(port, fault: "chunked,cut-after=2")
            #expect(throws: TestFailure.self) { try dechunk(cut.body) }  // no last chunk
        }
    }

    @Test func answerReplacesTheConfiguredAnswer() throws {
        try withServer { _, port throws in
            #expect(try EventStream(chat(port, fault: Self.answerOption).body).content == Self.answer)
            #expect(try chat(port, fault: Self.answerOption, stream: false).json?["choices"]?[0]?["message"]?["content"]
                == .string(Self.answer))
        }
    }

    @Test func timestampsAreIncreasingMonotonicNanoseconds() throws {
        try withServer(StandInConfiguration(tokensPerSecond: 1000)) { _, port in
            let before = monotonicNow()
            let contents = EventStream(try chat(port, fault: "timestamps").body).contents
            let after = monotonicNow()
            #expect(contents.count == Tokenizer.pieces(StandInConfiguration.defaultAnswer).count)
            #expect(contents.allSatisfy { $0.hasSuffix(" ") && $0.dropLast().allSatisfy(\.isNumber) })
            let stamps = contents.compactMap { UInt64($0.dropLast()) }
            #expect(stamps.count == contents.count)
            #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 })
            #expect(stamps.allSatisfy { before < $0 && $0 < after })
        }
    }

    /// The response body with the chunks' id and creation time blanked, which differ between requests.
    static func normalized(_ response: RawResponse) throws -> String {
        let first = try #require(EventStream(response.body).chunks.first)
        let id = try #require(first["id"]?.string)
        let created = try #require(first["created"]?.int64)
        return response.text.replacing(id, with: "ID").replacing(#""created":\#(created)"#, with: #""created":0"#)
    }
}
