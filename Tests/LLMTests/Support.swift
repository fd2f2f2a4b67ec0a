// A stand-in server and a client pointed at it, for the client's tests.
import Curl
@testable import LLM
import StandIn

/// One curl thread for every test, as in the server: many streams, one thread.
let sharedMulti = try! CurlMulti()

struct Harness {
    let server: StandInServer
    let client: LLMClient

    init(_ configure: (inout LLMConfiguration) -> Void = { _ in }, fault: String? = nil,
         server serverConfiguration: StandInConfiguration = StandInConfiguration(apiKey: "test-key", tokensPerSecond: 0)) throws {
        server = StandInServer(configuration: serverConfiguration)
        let port = try server.start()
        var configuration = LLMConfiguration(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "test-key",
                                             model: "standin-chat", embeddingsModel: "standin-embed",
                                             maxRetryDelay: .milliseconds(300))
        if let fault { configuration.extraHeaders.append(("X-Standin-Fault", fault)) }
        configure(&configuration)
        client = LLMClient(configuration: configuration, multi: sharedMulti)
    }

    /// Every delta of a streamed answer, and how it ended.
    func collect(_ messages: [ChatMessage] = [ChatMessage(role: "user", content: "What is a quarry?")]) async
        -> (deltas: [ChatDelta], error: (any Error)?)
    {
        var deltas: [ChatDelta] = []
        do {
            for try await delta in client.streamChat(messages) { deltas.append(delta) }
            return (deltas, nil)
        } catch {
            return (deltas, error)
        }
    }
}

extension [ChatDelta] {
    var text: String { compactMap { if case .text(let t) = $0 { t } else { nil } }.joined() }
    var thinking: String { compactMap { if case .thinking(let t) = $0 { t } else { nil } }.joined() }
    var retries: [(attempt: Int, after: Duration)] {
        compactMap { if case .retrying(let attempt, _, let after, _) = $0 { (attempt, after) } else { nil } }
    }
}
