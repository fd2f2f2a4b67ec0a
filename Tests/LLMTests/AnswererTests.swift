import Curl
import JSON
import Testing
@testable import LLM
import StandIn

@Suite struct ExtractiveAnswererTests {
    let passages = [
        Passage(title: "Running Quarry on a Raspberry Pi", heading: "Memory",
                text: "An idle Quarry uses about 16 MB of memory.\nEach open browser tab adds a few kilobytes.", score: 0.9),
        Passage(title: "Configuring Quarry", heading: nil, text: "Quarry works with no configuration at all.", score: 0.5),
        Passage(title: "What is Quarry?", heading: "Who it is for",
                text: String(repeating: "Quarry is made for small machines. ", count: 40), score: 0.3),
        Passage(title: "Ignored", text: "A fourth passage is not quoted.", score: 0.1),
    ]

    @Test func quotesTheBestPassagesWithTheirHeadingsLabelledAsPassages() async throws {
        let answerer = ExtractiveAnswerer(maxPassages: 3, maxCharactersPerPassage: 120)
        var deltas: [ChatDelta] = []
        for try await delta in answerer.answer(AnswerRequest(question: "How much memory?", passages: passages)) {
            deltas.append(delta)
        }
        let expected = """
            *No language model is configured, so here are the passages from the documents that match your question best, quoted as they are written.*

            **Running Quarry on a Raspberry Pi** › Memory [1]

            > An idle Quarry uses about 16 MB of memory.
            > Each open browser tab adds a few kilobytes.

            **Configuring Quarry** [2]

            > Quarry works with no configuration at all.

            **What is Quarry?** › Who it is for [3]

            > Quarry is made for small machines. Quarry is made for small machines. Quarry is made for small machines. …
            """
        #expect(deltas.text == expected)
        #expect(deltas.last == .finished(reason: "stop"))
        #expect(deltas.count > 20, "it streams in pieces, like a model")
        #expect(!deltas.text.contains("fourth"))
    }

    @Test func saysSoWhenNothingMatched() async throws {
        var text = ""
        for try await delta in ExtractiveAnswerer().answer(AnswerRequest(question: "Anything?", passages: [])) {
            if case .text(let piece) = delta { text += piece }
        }
        #expect(text == ExtractiveAnswerer.nothing)
    }
}

@Suite struct ModelAnswererTests {
    @Test func thePromptCarriesInstructionsHistoryPassagesAndQuestion() throws {
        let answerer = ModelAnswerer(client: LLMClient(configuration: LLMConfiguration(), multi: sharedMulti),
                                     maxContextCharacters: 200, maxHistoryMessages: 2)
        let request = AnswerRequest(
            question: "How much memory?",
            history: [ChatMessage(role: "user", content: "old"), ChatMessage(role: "assistant", content: "older answer"),
                      ChatMessage(role: "user", content: "recent")],
            passages: [Passage(title: "Pi", heading: "Memory", text: "16 MB.", score: 1),
                       Passage(title: "Long", text: String(repeating: "x", count: 500), score: 0.5)])
        let messages = answerer.messages(for: request)
        #expect(messages.first?.role == "system" && messages.first?.content == ModelAnswerer.systemPrompt)
        #expect(messages.dropFirst().prefix(2).map(\.content) == ["older answer", "recent"])
        let last = try #require(messages.last)
        #expect(last.role == "user")
        #expect(last.content.hasPrefix("Passages:\n\n[1] Pi › Memory\n16 MB."))
        #expect(last.content.hasSuffix("Question: How much memory?"))
        #expect(!last.content.contains(String(repeating: "x", count: 300)), "the context budget holds")
    }

    @Test func answersThroughTheModel() async throws {
        let harness = try Harness()
        defer { harness.server.stop() }
        var text = ""
        for try await delta in ModelAnswerer(client: harness.client).answer(
            AnswerRequest(question: "What is Quarry?", passages: [Passage(title: "T", text: "P", score: 1)])) {
            if case .text(let piece) = delta { text += piece }
        }
        #expect(text == StandInConfiguration.defaultAnswer)
        #expect(harness.server.requests.last?.json?["messages"]?[1]?["content"]?.string?.contains("[1] T\nP") == true)
    }
}

@Suite struct LLMConfigurationTests {
    @Test func nothingSetMeansNoModel() throws {
        #expect(try LLMConfiguration.fromEnvironment([:]) == nil)
        #expect(try LLMConfiguration.fromEnvironment(["QUARRY_LLM_MODEL": "x"]) == nil)
    }

    @Test func aKeyAloneMeansOpenAI() throws {
        let configuration = try #require(try LLMConfiguration.fromEnvironment(["OPENAI_API_KEY": "sk-1"]))
        #expect(configuration.baseURL == "https://api.openai.com/v1" && configuration.apiKey == "sk-1")
        let preferred = try LLMConfiguration.fromEnvironment(["OPENAI_API_KEY": "sk-1", "QUARRY_LLM_API_KEY": "q-2"])
        #expect(preferred?.apiKey == "q-2")
    }

    @Test func ollamaWithEverythingSet() throws {
        let configuration = try #require(try LLMConfiguration.fromEnvironment([
            "QUARRY_LLM_BASE_URL": "http://localhost:11434/v1", "QUARRY_LLM_MODEL": "llama3.2:1b",
            "QUARRY_EMBEDDINGS_MODEL": "nomic-embed-text", "QUARRY_LLM_HEADERS": "X-A: 1; X-B: two words",
            "QUARRY_LLM_FIRST_TOKEN_TIMEOUT": "300", "QUARRY_LLM_IDLE_TIMEOUT": "2.5",
        ]))
        #expect(configuration.apiKey == nil && configuration.model == "llama3.2:1b")
        #expect(configuration.embeddingsModel == "nomic-embed-text")
        #expect(configuration.extraHeaders.map { "\($0.name)=\($0.value)" } == ["X-A=1", "X-B=two words"])
        #expect(configuration.firstTokenTimeout == .seconds(300) && configuration.idleTimeout == .milliseconds(2500))
        #expect(configuration.url("chat/completions") == "http://localhost:11434/v1/chat/completions")
    }

    @Test(arguments: [
        ["QUARRY_LLM_BASE_URL": "localhost:11434"], ["OPENAI_API_KEY": "k", "QUARRY_LLM_IDLE_TIMEOUT": "soon"],
        ["OPENAI_API_KEY": "k", "QUARRY_LLM_HEADERS": "no colon"], ["OPENAI_API_KEY": "k", "QUARRY_LLM_TOTAL_TIMEOUT": "-1"],
    ])
    func malformedSettingsAreClearErrors(environment: [String: String]) {
        #expect(throws: LLMConfigurationError.self) { try LLMConfiguration.fromEnvironment(environment) }
    }
}

@Suite struct RetryPolicyTests {
    @Test func waitsGrowAndGiveUp() {
        let policy = RetryPolicy(maxAttempts: 3, maxDelay: .seconds(30))
        #expect(policy.delay(before: 2, after: .upstream(status: 502, message: "")) == .seconds(1))
        #expect(policy.delay(before: 3, after: .unreachable(message: "")) == .seconds(4))
        #expect(policy.delay(before: 4, after: .unreachable(message: "")) == nil)
        #expect(policy.delay(before: 2, after: .rateLimited(retryAfter: .seconds(7), message: "")) == .seconds(7))
        #expect(policy.delay(before: 2, after: .rateLimited(retryAfter: .seconds(31), message: "")) == nil)
        #expect(policy.delay(before: 2, after: .keyRejected(status: 401, message: "")) == nil)
        #expect(policy.delay(before: 2, after: .upstream(status: 400, message: "")) == nil)
        #expect(policy.delay(before: 2, after: .timedOut(.firstToken)) == nil)
    }
}

@Suite struct DefaultAnswererTests {
    @Test func noModelConfiguredMeansPassages() throws {
        #expect(LLMClient.answerer(for: nil, multi: sharedMulti) is ExtractiveAnswerer)
        let configured = try LLMConfiguration.fromEnvironment(["OPENAI_API_KEY": "k"])
        #expect(LLMClient.answerer(for: configured, multi: sharedMulti) is ModelAnswerer)
    }
}
