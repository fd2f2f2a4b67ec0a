// The OpenAI-compatible client: streaming chat completions and embeddings over libcurl's multi interface,
// every transfer on the one thread a CurlMulti drives.
public import Curl
internal import JSON

/// Talks to an OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp's server, vLLM).
///
/// One client serves any number of concurrent answers with one transfer thread. Retries follow the rules of
/// `LLMConfiguration`: only before any text, only for transient failures, each wait announced with
/// `ChatDelta.retrying`. After text has started, a failure ends the stream with its error and the caller keeps
/// what arrived.
public final class LLMClient: Sendable {
    /// Where and how.
    public let configuration: LLMConfiguration
    let multi: CurlMulti
    /// The ceiling on chat requests a minute (`configuration.maxRequestsPerMinute`), shared by every answer.
    public let ceiling: RequestCeiling?

    /// A client for `configuration`, running its transfers on `multi` (which may be shared with others).
    public init(configuration: LLMConfiguration, multi: CurlMulti) {
        self.configuration = configuration
        self.multi = multi
        ceiling = configuration.maxRequestsPerMinute.map { RequestCeiling(limit: $0) }
    }

    /// Streams a chat completion of `messages` (`POST /chat/completions` with `stream: true`).
    public func streamChat(_ messages: [ChatMessage], model: String? = nil) -> AsyncThrowingStream<ChatDelta, any Error> {
        let body: JSONValue = [
            "model": .string(model ?? configuration.model),
            "messages": .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] }),
            "stream": true,
            "stream_options": ["include_usage": true],
        ]
        var bytes: [UInt8] = []
        body.write(into: &bytes)
        return AsyncThrowingStream { continuation in
            let call = ChatCall(client: self, body: bytes, model: model ?? configuration.model, continuation: continuation)
            continuation.onTermination = { _ in call.cancel() }
            call.start()
        }
    }

    /// The embedding of each text, in order (`POST /embeddings`).
    public func embeddings(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let body: JSONValue = ["model": .string(configuration.embeddingsModel), "input": .array(texts.map(JSONValue.string))]
        var bytes: [UInt8] = []
        body.write(into: &bytes)
        let reply = try await send(path: "embeddings", body: bytes, model: configuration.embeddingsModel)
        guard let json = try? JSONValue.parse(reply, maxDepth: 16), let data = json["data"]?.array, data.count == texts.count
        else { throw LLMError.badResponse(message: "the embeddings response did not hold one vector per text") }
        var vectors = [[Float]](repeating: [], count: texts.count)
        for (position, item) in data.enumerated() {
            let index = item["index"]?.int64.map(Int.init) ?? position
            guard vectors.indices.contains(index), let numbers = item["embedding"]?.array else {
                throw LLMError.badResponse(message: "an embedding in the response is malformed")
            }
            vectors[index] = numbers.map { Float($0.double ?? 0) }
        }
        return vectors
    }

    /// The request every call makes: JSON in, the endpoint's headers and the key.
    func request(path: String, body: [UInt8], streaming: Bool) -> CurlRequest {
        var headers = [CurlHeader("Content-Type", "application/json"),
                       CurlHeader("Accept", streaming ? "text/event-stream" : "application/json")]
        if let key = configuration.apiKey { headers.append(CurlHeader("Authorization", "Bearer \(key)")) }
        headers += configuration.extraHeaders.map { CurlHeader($0.name, $0.value) }
        // No low-speed rule: the answer's own timeouts (first token, idle) watch the stream, and a model that is
        // thinking sends nothing for a while.
        return CurlRequest(url: configuration.url(path), method: .post, headers: headers, body: body,
                           connectTimeout: configuration.connectTimeout, lowSpeedLimit: 0,
                           timeout: configuration.totalTimeout)
    }

    /// A whole-response request with the retry rules, for embeddings.
    private func send(path: String, body: [UInt8], model: String) async throws -> [UInt8] {
        let retry = RetryPolicy(maxAttempts: configuration.maxAttempts, maxDelay: configuration.maxRetryDelay)
        var attempt = 1
        while true {
            let outcome = await once(path: path, body: body, model: model)
            switch outcome {
            case .success(let bytes):
                return bytes
            case .failure(let error):
                guard let delay = retry.delay(before: attempt + 1, after: error) else { throw error }
                attempt += 1
                try await Task.sleep(for: delay)
            }
        }
    }

    private func once(path: String, body: [UInt8], model: String) async -> Result<[UInt8], LLMError> {
        final class Collected: @unchecked Sendable {
            // Written only on the transfer thread, read after its completion.
            var bytes: [UInt8] = []
        }
        let collected = Collected()
        let transfer: CurlTransfer
        do {
            transfer = try CurlTransfer(request(path: path, body: body, streaming: false)) { piece in
                if collected.bytes.count < 64 << 20 { collected.bytes += piece }
            }
        } catch {
            return .failure(.badResponse(message: error.debugDescription))
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], LLMError>, Never>) in
                multi.start(transfer) { result in
                    switch result {
                    case .success(let response) where response.isSuccess:
                        continuation.resume(returning: .success(collected.bytes))
                    case .success(let response):
                        continuation.resume(returning: .failure(HTTPFailure.error(
                            status: response.status, headers: response, body: collected.bytes, model: model)))
                    case .failure(let error):
                        continuation.resume(returning: .failure(
                            error.isCancelled ? .cancelled : HTTPFailure.error(error, characters: 0)))
                    }
                }
            }
        } onCancel: {
            multi.cancel(transfer)
        }
    }
}
