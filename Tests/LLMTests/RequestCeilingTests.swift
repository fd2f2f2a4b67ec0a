@testable import LLM
import StandIn
import Testing

/// The server-wide ceiling on model requests a minute: the window on its own (an injected clock), then the client.
@Suite struct RequestCeilingTests {
    @Test func aWindowHoldsAtMostItsLimitAndFreesAsRequestsAge() {
        let ceiling = RequestCeiling(limit: 2, window: .seconds(60))
        let start = ContinuousClock.now
        #expect(ceiling.take(now: start) == nil)
        #expect(ceiling.take(now: start + .seconds(10)) == nil)
        #expect(ceiling.wait(now: start + .seconds(20)) == .seconds(40))
        #expect(ceiling.take(now: start + .seconds(20)) == .seconds(40), "refused, and nothing taken")
        #expect(ceiling.take(now: start + .seconds(60)) == nil, "the first has aged out")
        #expect(ceiling.take(now: start + .seconds(61)) == .seconds(9))
    }

    @Test func theClientSendsNoRequestPastTheCeilingAndSaysWhen() async throws {
        let harness = try Harness { $0.maxRequestsPerMinute = 1 }
        defer { harness.server.stop() }
        let first = await harness.collect()
        #expect(first.error == nil && !first.deltas.text.isEmpty)
        let second = await harness.collect()
        guard case .ceilingReached(let after)? = second.error as? LLMError else {
            Issue.record("expected the ceiling, got \(String(describing: second.error))")
            return
        }
        #expect(after > .zero && after <= .seconds(60))
        #expect(harness.server.requests.count == 1)
        #expect(LLMError.ceilingReached(retryAfter: .milliseconds(1_500)).userMessage
            == "Quarry has asked the language model all the questions it may this minute. Please try again in 2 seconds.")
    }

    @Test func theServicesOwnWordsStayOutOfThePersonsMessage() {
        let error = LLMError.upstream(status: 502, message: "internal gateway gw-7.corp.local rejected request: token=abc123")
        #expect(!error.userMessage.contains("gw-7") && !error.userMessage.contains("token"))
        #expect(error.logMessage.contains("internal gateway gw-7.corp.local rejected request: token=abc123"))
        #expect(HTTPFailure.serverMessage(Array(#"{"error":{"message":"line one\nforged: line"}}"#.utf8))
            == "line one forged: line")
    }
}
