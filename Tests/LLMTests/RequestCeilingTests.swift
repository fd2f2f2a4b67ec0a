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

    @Test func otherHostsRequestsTakeTheirShareOfTheCeiling() {
        let ceiling = RequestCeiling(limit: 5, window: .seconds(60))
        let start = ContinuousClock.now
        ceiling.othersSent = 3
        #expect(ceiling.take(now: start) == nil)
        #expect(ceiling.take(now: start + .seconds(10)) == nil)
        #expect(ceiling.take(now: start + .seconds(20)) == .seconds(40), "2 here and 3 elsewhere make 5")
        #expect(ceiling.recent(now: start + .seconds(20)) == 2)
        // The others send more: this host's oldest requests must age out before one more goes.
        ceiling.othersSent = 4
        #expect(ceiling.wait(now: start + .seconds(20)) == .seconds(50))
        ceiling.othersSent = 5
        #expect(ceiling.wait(now: start + .seconds(20)) == .seconds(5), "all elsewhere: a twelfth of the window")
        ceiling.othersSent = 0
        #expect(ceiling.take(now: start + .seconds(20)) == nil)
        #expect(ceiling.recent(now: start + .seconds(65)) == 2, "the first has aged out")
        ceiling.othersSent = -2
        #expect(ceiling.othersSent == 0)
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
