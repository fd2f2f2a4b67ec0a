// The fault spec grammar, base64 and the tokenizer, as units.
import Testing
@testable import StandIn

@Suite struct FaultSpecTests {
    static func spec(_ change: (inout FaultSpec) -> Void) -> FaultSpec {
        var spec = FaultSpec()
        change(&spec)
        return spec
    }

    @Test(arguments: [
        ("status=429,retry-after=3,times=2", spec { $0.status = 429; $0.retryAfter = 3; $0.times = 2 }),
        (" cut-after = 3 , reset ", spec { $0.cutAfter = 3; $0.reset = true }),
        ("stall-after=0", spec { $0.stallAfter = 0 }),
        ("error-after=4,chunked", spec { $0.errorAfter = 4; $0.chunked = true }),
        ("first-token-delay=0.5,token-delay=0.02", spec { $0.firstTokenDelay = 0.5; $0.tokenDelay = 0.02 }),
        ("reasoning=3,no-done", spec { $0.reasoning = 3; $0.noDone = true }),
        ("crlf,no-space", spec { $0.crlf = true; $0.noSpace = true }),
        ("comments,split", spec { $0.comments = true; $0.split = true }),
        ("timestamps", spec { $0.timestamps = true }),
        ("answer=Q2Fmw6kg4oCUIPCfmIA", spec { $0.answer = "Café — 😀" }),
        ("answer=Q2Fmw6kg4oCUIPCfmIA=", spec { $0.answer = "Café — 😀" }),
        ("answer=", spec { $0.answer = "" }),
    ])
    func parses(text: String, expected: FaultSpec) throws {
        var parsed = try FaultSpec.parse(text)
        parsed.text = ""
        #expect(parsed == expected)
    }

    @Test(arguments: ["", "  "])
    func emptySpecChangesNothing(text: String) throws {
        #expect(try FaultSpec.parse(text).isEmpty)
    }

    @Test(arguments: [
        "stauts=500", "status", "status=abc", "status=99", "status=600", "retry-after=3", "times=1",
        "cut-after=-1", "token-delay=fast", "token-delay=-1", "split=yes", "answer=@@", "answer=QQQQQ", "reset",
        "cut-after=1,stall-after=2",
    ])
    func rejects(text: String) {
        #expect(throws: FaultSpecError.self) { try FaultSpec.parse(text) }
    }

    @Test(arguments: ["", "a", "ab", "abc", "Café — 😀", String(repeating: "xyz", count: 40)])
    func base64RoundTrips(text: String) {
        let encoded = Base64.encode(Array(text.utf8))
        #expect(Base64.decode(encoded) == Array(text.utf8))
        #expect(Base64.decode(base64URL(text)) == Array(text.utf8))
    }

    @Test(arguments: [
        "", " ", "one", "one two", "  leading and trailing  ", "tabs\tand\nnew\r\nlines",
        StandInConfiguration.defaultAnswer, "supercalifragilistic 😀😀😀😀😀😀😀😀😀😀 é",
    ])
    func tokenizerPiecesConcatenateToTheText(text: String) {
        let pieces = Tokenizer.pieces(text)
        #expect(pieces.joined() == text)
        #expect(pieces.allSatisfy { !$0.isEmpty })
    }
}
