// SSEParser against the WHATWG EventSource rules, in the spec's words: fields, line ends, dispatch, and streams
// cut at every byte.

import Testing
@testable import LLM

/// One parse: the stream, as text or raw bytes, and the events it must give (including those `finish()` gives).
struct SSECase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let events: [SSEEvent]
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ events: [SSEEvent]) {
        self.init(name, bytes: Array(input.utf8), events)
    }

    init(_ name: String, bytes: [UInt8], _ events: [SSEEvent]) {
        self.name = name
        self.input = bytes
        self.events = events
    }
}

@Suite struct SSEParserTests {
    /// Parses `pieces` in order, then finishes the stream.
    static func parse(_ pieces: [[UInt8]], limit: Int = SSEParser.defaultLimit) throws -> [SSEEvent] {
        var parser = SSEParser(limit: limit)
        var events: [SSEEvent] = []
        for piece in pieces { events += try parser.feed(piece) }
        return events + parser.finish()
    }

    /// `bytes` in pieces of `size` (the last one shorter).
    static func pieces(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static let cases: [SSECase] = [
        SSECase("data: with one space", "data: hello\n\n", [SSEEvent(data: "hello")]),
        SSECase("data: without space", "data:hello\n\n", [SSEEvent(data: "hello")]),
        SSECase("data: only one leading space removed", "data:  two\n\n", [SSEEvent(data: " two")]),
        SSECase("data: trailing spaces kept", "data: a \n\n", [SSEEvent(data: "a ")]),
        SSECase("data: empty value dispatches empty data", "data:\n\n", [SSEEvent(data: "")]),
        SSECase("data without colon is an empty data line", "data\n\n", [SSEEvent(data: "")]),
        SSECase("data: value with colons", "data: {\"a\":\"b:c\"}\n\n", [SSEEvent(data: "{\"a\":\"b:c\"}")]),
        SSECase("multi-line data joined with LF", "data: one\ndata: two\ndata:\ndata: four\n\n",
                [SSEEvent(data: "one\ntwo\n\nfour")]),
        SSECase("several events in one feed", "data: a\n\ndata: b\n\ndata: c\n\n",
                [SSEEvent(data: "a"), SSEEvent(data: "b"), SSEEvent(data: "c")]),
        SSECase("line ends LF", "data: a\ndata: b\n\ndata: c\n\n", [SSEEvent(data: "a\nb"), SSEEvent(data: "c")]),
        SSECase("line ends CRLF", "data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n",
                [SSEEvent(data: "a\nb"), SSEEvent(data: "c")]),
        SSECase("line ends CR", "data: a\rdata: b\r\rdata: c\r\r", [SSEEvent(data: "a\nb"), SSEEvent(data: "c")]),
        SSECase("line ends mixed", "data: a\r\ndata: b\r\n\rdata: c\n\r\n", [SSEEvent(data: "a\nb"), SSEEvent(data: "c")]),
        SSECase("LF CR is two line ends", "data: a\n\rdata: b\n\n", [SSEEvent(data: "a"), SSEEvent(data: "b")]),
        SSECase("comment ignored", ": keep-alive\n\n", []),
        SSECase("comments interleaved", ": ping\ndata: a\n: OPENROUTER PROCESSING\ndata: b\n\n:\n\n",
                [SSEEvent(data: "a\nb")]),
        SSECase("comment with CRLF", ": ping\r\n\r\ndata: x\r\n\r\n", [SSEEvent(data: "x")]),
        SSECase("blank lines without data dispatch nothing", "\n\n\r\n\r\r\n", []),
        SSECase("unknown field ignored", "foo: bar\ndata: x\nDATA: y\n\n", [SSEEvent(data: "x")]),
        SSECase("field names are case-sensitive", "Data: x\n\n", []),
        SSECase("event: sets the type", "event: ping\ndata: x\n\n", [SSEEvent(type: "ping", data: "x")]),
        SSECase("event: type reset after dispatch", "event: ping\ndata: x\n\ndata: y\n\n",
                [SSEEvent(type: "ping", data: "x"), SSEEvent(data: "y")]),
        SSECase("event: without data dispatches nothing and is reset", "event: ping\n\ndata: y\n\n",
                [SSEEvent(data: "y")]),
        SSECase("event: empty is message", "event:\ndata: x\n\n", [SSEEvent(data: "x")]),
        SSECase("id: carried to later events", "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
                [SSEEvent(data: "a", id: "7"), SSEEvent(data: "b", id: "7"), SSEEvent(data: "c")]),
        SSECase("id: with NUL ignored", "id: 1\ndata: a\n\nid: 2\u{0}\ndata: b\n\n",
                [SSEEvent(data: "a", id: "1"), SSEEvent(data: "b", id: "1")]),
        SSECase("id: set by an event without data", "id: 9\n\ndata: a\n\n", [SSEEvent(data: "a", id: "9")]),
        SSECase("retry: is not an event", "retry: 3000\n\n", []),
        SSECase("error: field (llama.cpp) is an error event", "error: {\"code\":500,\"message\":\"boom\"}\n\n",
                [SSEEvent(type: "error", data: "{\"code\":500,\"message\":\"boom\"}")]),
        SSECase("non-ASCII data", "data: héllo 日本 🎉\n\n", [SSEEvent(data: "héllo 日本 🎉")]),
        SSECase("BOM at the start skipped", bytes: bom + Array("data: x\n\n".utf8), [SSEEvent(data: "x")]),
        SSECase("BOM later is part of the field name", bytes: Array("data: a\n\n".utf8) + bom + Array("data: b\n\n".utf8),
                [SSEEvent(data: "a")]),
        SSECase("two BOMs: only the first skipped", bytes: bom + bom + Array("data: x\n\n".utf8), []),
        SSECase("BOM prefix that is not a BOM kept", bytes: [0xEF, 0xBB, 0x41, 0x0A, 0x0A] + Array("data: x\n\n".utf8),
                [SSEEvent(data: "x")]),
        SSECase("invalid UTF-8 becomes U+FFFD", bytes: Array("data: a".utf8) + [0xFF, 0xC3] + Array("b\n\n".utf8),
                [SSEEvent(data: "a\u{FFFD}\u{FFFD}b")]),
        SSECase("finish: data then one LF (llama.cpp)", "data: a\n\ndata: [DONE]\n",
                [SSEEvent(data: "a"), SSEEvent(data: "[DONE]")]),
        SSECase("finish: last line without line end", "data: [DONE]", [SSEEvent(data: "[DONE]")]),
        SSECase("finish: last line ends with CR", "data: [DONE]\r", [SSEEvent(data: "[DONE]")]),
        SSECase("finish: nothing pending", "data: a\n\n", [SSEEvent(data: "a")]),
        SSECase("finish: only a comment pending", "data: a\n\n: bye", [SSEEvent(data: "a")]),
        SSECase("finish: only an event type pending", "event: x\n", []),
        SSECase("empty stream", "", []),
        SSECase("stream of a BOM only", bytes: bom, []),
    ]

    @Test(arguments: cases)
    func parsesWhole(_ test: SSECase) throws {
        #expect(try Self.parse([test.input]) == test.events)
    }

    @Test(arguments: cases)
    func parsesByteByByte(_ test: SSECase) throws {
        #expect(try Self.parse(Self.pieces(test.input, size: 1)) == test.events)
    }

    // MARK: Streams cut anywhere

    /// A realistic stream: a BOM, comments, a role chunk, non-ASCII tokens, multi-line data, an event type, an id,
    /// retry, usage, `[DONE]`; written with LF and then rewritten with each other line end.
    static let realistic: String = """
        : connected
        retry: 2500
        id: 1
        data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

        data: {"choices":[{"index":0,"delta":{"content":"Grüße, "}}]}

        : keep-alive
        data: {"choices":[{"index":0,"delta":{"content":"日本語 🎉"}}]}

        event: note
        data: first line
        data:second line

        data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}

        data: [DONE]


        """

    static let realisticEvents: [SSEEvent] = [
        SSEEvent(data: #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#, id: "1"),
        SSEEvent(data: #"{"choices":[{"index":0,"delta":{"content":"Grüße, "}}]}"#, id: "1"),
        SSEEvent(data: #"{"choices":[{"index":0,"delta":{"content":"日本語 🎉"}}]}"#, id: "1"),
        SSEEvent(type: "note", data: "first line\nsecond line", id: "1"),
        SSEEvent(data: #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#, id: "1"),
        SSEEvent(data: "[DONE]", id: "1"),
    ]

    static let lineEnds = ["\n", "\r\n", "\r"]

    static func realisticBytes(_ lineEnd: String) -> [UInt8] {
        bom + Array(realistic.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: lineEnd).utf8)
    }

    @Test(arguments: lineEnds)
    func realisticStreamWhole(_ lineEnd: String) throws {
        var parser = SSEParser()
        #expect(try parser.feed(Self.realisticBytes(lineEnd)) == Self.realisticEvents)
        #expect(parser.reconnectionTime == 2500)
        #expect(parser.finish() == [])
    }

    @Test(arguments: lineEnds)
    func realisticStreamSplitAtEveryOffset(_ lineEnd: String) throws {
        let bytes = Self.realisticBytes(lineEnd)
        for offset in 1..<bytes.count {
            let events = try Self.parse([Array(bytes[..<offset]), Array(bytes[offset...])])
            #expect(events == Self.realisticEvents, "split at \(offset)")
        }
    }

    @Test(arguments: lineEnds)
    func realisticStreamSplitAtEveryPairOfOffsets(_ lineEnd: String) throws {
        let bytes = Self.realisticBytes(lineEnd)
        for first in stride(from: 1, to: bytes.count, by: 7) {
            for second in (first + 1)..<bytes.count {
                let split = [Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...])]
                #expect(try Self.parse(split) == Self.realisticEvents, "split at \(first) and \(second)")
            }
        }
    }

    @Test(arguments: lineEnds, [1, 2, 3, 5, 64])
    func realisticStreamInPieces(_ lineEnd: String, size: Int) throws {
        #expect(try Self.parse(Self.pieces(Self.realisticBytes(lineEnd), size: size)) == Self.realisticEvents)
    }

    @Test func emptyFeedsChangeNothing() throws {
        let bytes = Self.realisticBytes("\r\n")
        let split = Self.pieces(bytes, size: 3).flatMap { [[], $0, []] }
        #expect(try Self.parse(split) == Self.realisticEvents)
    }

    @Test func nonASCIISplitInsideACharacter() throws {
        let bytes = Array("data: é日🎉\n\n".utf8)  // 2-, 3- and 4-byte characters
        for offset in 7..<(bytes.count - 2) {
            let events = try Self.parse([Array(bytes[..<offset]), Array(bytes[offset...])])
            #expect(events == [SSEEvent(data: "é日🎉")], "split at \(offset)")
        }
    }

    // MARK: CRLF across feeds

    /// The CR of a CRLF ends one feed and its LF starts the next: one line end, not a blank line.
    @Test(arguments: [
        (["data: a\r", "\ndata: b\r\n\r\n"], [SSEEvent(data: "a\nb")]),
        (["data: a\r", "\n", "data: b\r", "\n\r", "\n"], [SSEEvent(data: "a\nb")]),
        (["data: a\r", "", "\ndata: b\r\n\r\n"], [SSEEvent(data: "a\nb")]),
        (["data: a\r", "\r", "\ndata: b\r\n\r\n"], [SSEEvent(data: "a"), SSEEvent(data: "b")]),
        (["data: a\r", "\rdata: b\r\r"], [SSEEvent(data: "a"), SSEEvent(data: "b")]),
    ])
    func crlfSplitAcrossFeeds(_ feeds: [String], _ expected: [SSEEvent]) throws {
        #expect(try Self.parse(feeds.map { Array($0.utf8) }) == expected)
    }

    @Test func eventsAreReturnedByTheFeedThatCompletesThem() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: a\n".utf8)) == [])
        #expect(try parser.feed(Array("\r".utf8)) == [SSEEvent(data: "a")])
        #expect(try parser.feed(Array("\ndata: b\r".utf8)) == [])
        #expect(try parser.feed(Array("\r".utf8)) == [SSEEvent(data: "b")])
    }

    @Test(arguments: [[[0xEF], [0xBB], [0xBF] + Array("data: x\n\n".utf8)], [[0xEF, 0xBB], [0xBF, 0x64], Array("ata: x\n\n".utf8)]])
    func bomSplitAcrossFeeds(_ feeds: [[UInt8]]) throws {
        #expect(try Self.parse(feeds) == [SSEEvent(data: "x")])
    }

    // MARK: retry

    @Test(arguments: [("retry: 1500\n", 1500), ("retry:0\n", 0), ("retry: 15x\n", nil), ("retry: -1\n", nil),
                      ("retry:\n", nil), ("retry: 99999999999999999999999\n", nil), ("retry: 10\nretry: x\n", 10)])
    func retrySetsTheReconnectionTime(_ input: String, _ expected: Int?) throws {
        var parser = SSEParser()
        _ = try parser.feed(Array(input.utf8))
        #expect(parser.reconnectionTime == expected)
    }

    // MARK: Limits

    @Test(arguments: [
        ("a line that never ends", [String(repeating: "x", count: 100)]),
        ("a line that never ends, fed in pieces", Array(repeating: "data: 0123456789", count: 10)),
        ("one long line", ["data: " + String(repeating: "x", count: 100) + "\n\n"]),
        ("an event of many lines", Array(repeating: "data: 0123456789\n", count: 10)),
        ("a long comment", [": " + String(repeating: "x", count: 100) + "\n"]),
    ])
    func oversizedThrows(_ name: String, _ feeds: [String]) throws {
        var parser = SSEParser(limit: 64)
        do {
            for feed in feeds { _ = try parser.feed(Array(feed.utf8)) }
            Issue.record("\(name): no error")
        } catch let error {
            guard case .badResponse(let message) = error else {
                Issue.record("\(name): \(error)")
                return
            }
            #expect(message.contains("64 bytes"), "\(name): \(message)")
        }
    }

    @Test func anEventJustUnderTheLimitPasses() throws {
        let line = "data: " + String(repeating: "x", count: 58)  // 64 bytes
        let events = try Self.parse([Array((line + "\n\n" + line + "\n\n").utf8)], limit: 64)
        #expect(events == Array(repeating: SSEEvent(data: String(repeating: "x", count: 58)), count: 2))
        #expect(throws: LLMError.self) { try Self.parse([Array((line + "x\n\n").utf8)], limit: 64) }
    }

    @Test func manySmallEventsNeverReachTheLimit() throws {
        let stream = String(repeating: "data: 0123456789\n\n: ping\n", count: 1000)
        #expect(try Self.parse(Self.pieces(Array(stream.utf8), size: 13), limit: 64).count == 1000)
    }
}
