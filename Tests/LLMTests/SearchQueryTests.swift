// The model's search query for a follow-up: the request it gets, and what is kept of its reply.
@testable import LLM
import Testing

@Suite struct SearchQueryTests {
    @Test(arguments: [
        ("cancel a kiln firing", "cancel a kiln firing"),
        ("\"cancel a kiln firing\"\n\nThis query asks about…", "cancel a kiln firing"),
        ("Search query: kiln power supply", "kiln power supply"),
        ("  “marble polish”  ", "marble polish"),
        ("", nil), ("\n\n", nil), ("\"\"", nil),
    ] as [(String, String?)])
    func theReplyIsCleanedToOneLine(reply: String, expected: String?) {
        #expect(ModelAnswerer.cleanedQuery(reply) == expected)
    }

    @Test func aLongReplyIsCutShort() {
        #expect(ModelAnswerer.cleanedQuery(String(repeating: "word ", count: 100))?.count == 200)
    }
}
