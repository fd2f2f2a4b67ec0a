// One streaming chat completion across its attempts: response head, SSE bytes → deltas, timeouts, the
// outcome, and retries before any text.
internal import Curl
internal import Locking

final class ChatCall: @unchecked Sendable {
    // @unchecked: every var below is guarded by `lock`. The transfer's closures run on the CurlMulti thread;
    // `cancel()` comes from the consumer's side; a retry starts from a task.
    private let lock = Lock()
    private let client: LLMClient
    private let body: [UInt8]
    private let model: String
    private let continuation: AsyncThrowingStream<ChatDelta, any Error>.Continuation
    private let retry: RetryPolicy

    private var attempt = 0
    private var abandoned = false
    private var current: CurlTransfer?
    private var state = Attempt(started: ContinuousClock.now)
    /// Whether any text or thinking reached the consumer: after that, never retry.
    private var emitted = false

    /// What one attempt has seen so far.
    private struct Attempt {
        enum Mode { case waiting, events, document, failure }
        let started: ContinuousClock.Instant
        var lastPiece: ContinuousClock.Instant?
        var mode = Mode.waiting
        var head: CurlResponse?
        var parser = SSEParser()
        var decoder = ChatStreamDecoder()
        var collected: [UInt8] = []
        var finishReason: String?
        var timeout: TimeoutKind?
        var failure: LLMError?
    }

    init(client: LLMClient, body: [UInt8], model: String,
         continuation: AsyncThrowingStream<ChatDelta, any Error>.Continuation) {
        self.client = client
        self.body = body
        self.model = model
        self.continuation = continuation
        retry = RetryPolicy(maxAttempts: client.configuration.maxAttempts, maxDelay: client.configuration.maxRetryDelay)
    }

    /// Starts the next attempt, if the ceiling on requests a minute leaves room for it.
    func start() {
        if let wait = client.ceiling?.take() {
            continuation.finish(throwing: LLMError.ceilingReached(retryAfter: wait))
            return
        }
        let transfer: CurlTransfer
        do {
            transfer = try CurlTransfer(client.request(path: "chat/completions", body: body, streaming: true),
                                        onResponse: { [self] in received(head: $0) },
                                        onBody: { [self] in received(body: $0) })
        } catch {
            continuation.finish(throwing: LLMError.badResponse(message: error.debugDescription))
            return
        }
        transfer.watchdog = { [self] in watch() }
        let go = lock.withLock { () -> Bool in
            guard !abandoned else { return false }
            attempt += 1
            state = Attempt(started: ContinuousClock.now)
            current = transfer
            return true
        }
        guard go else { return }
        client.multi.start(transfer) { [self] in completed($0) }
    }

    /// The consumer went away: stop the transfer, start no more.
    func cancel() {
        let transfer = lock.withLock { () -> CurlTransfer? in
            abandoned = true
            return current
        }
        if let transfer { client.multi.cancel(transfer) }
    }

    // MARK: On the transfer thread

    private func received(head: CurlResponse) {
        lock.withLock {
            state.head = head
            let type = head[header: "Content-Type"]?.lowercased() ?? ""
            state.mode = !head.isSuccess ? .failure : type.contains("json") ? .document : .events
        }
    }

    private func received(body bytes: [UInt8]) {
        let deltas = lock.withLock { () -> [ChatDelta] in
            switch state.mode {
            case .events:
                // What decoded before a failure still reaches the consumer: it is part of the answer.
                var out: [ChatDelta] = []
                do throws(LLMError) {
                    for event in try state.parser.feed(bytes) { out += try state.decoder.decode(event) }
                } catch {
                    state.failure = error
                }
                note(out)
                return out
            case .document, .failure, .waiting:
                // Bounded: an error page or a whole answer, never more than this.
                if state.collected.count < 4 << 20 { state.collected += bytes }
                return []
            }
        }
        for delta in deltas { continuation.yield(delta) }
        if lock.withLock({ state.failure != nil }), let transfer = lock.withLock({ current }) {
            client.multi.cancel(transfer)
        }
    }

    /// Bookkeeping for deltas about to reach the consumer. Called under the lock.
    private func note(_ deltas: [ChatDelta]) {
        for delta in deltas {
            switch delta {
            case .text, .thinking:
                emitted = true
                state.lastPiece = ContinuousClock.now
            case .finished(let reason):
                state.finishReason = reason
            default:
                break
            }
        }
    }

    /// Asked regularly by the transfer thread: false stops the transfer.
    private func watch() -> Bool {
        lock.withLock {
            if abandoned { return false }
            let now = ContinuousClock.now, configuration = client.configuration
            if now - state.started > configuration.totalTimeout {
                state.timeout = .total
            } else if let last = state.lastPiece {
                if now - last > configuration.idleTimeout { state.timeout = .idle }
            } else if now - state.started > configuration.firstTokenTimeout {
                state.timeout = .firstToken
            }
            return state.timeout == nil
        }
    }

    private func completed(_ result: Result<CurlResponse, CurlError>) {
        var deltas: [ChatDelta] = []
        let (outcome, gone, characters, sent, tried) = lock.withLock { () -> (LLMError?, Bool, Int, Bool, Int) in
            current = nil
            let error = verdict(on: result, deltas: &deltas)
            note(deltas)
            return (error, abandoned, state.decoder.characters, emitted, attempt)
        }
        guard !gone else { return }
        for delta in deltas { continuation.yield(delta) }
        guard var error = outcome else {
            continuation.finish()
            return
        }
        if case .streamCut = error, characters == 0 { error = .unreachable(message: "the connection closed before an answer arrived") }
        if !sent, let delay = retry.delay(before: tried + 1, after: error) {
            continuation.yield(.retrying(attempt: tried + 1, of: retry.maxAttempts, after: delay, reason: error.retryReason))
            Task { [self] in
                try? await Task.sleep(for: delay)
                start()
            }
            return
        }
        continuation.finish(throwing: error)
    }

    /// What the finished attempt amounts to: nil for a complete answer (its last deltas in `deltas`), or the
    /// error. Called under the lock.
    private func verdict(on result: Result<CurlResponse, CurlError>, deltas: inout [ChatDelta]) -> LLMError? {
        if let timeout = state.timeout { return .timedOut(timeout) }
        if let failure = state.failure { return failure }
        switch result {
        case .failure(let error):
            return error.isCancelled ? .cancelled : HTTPFailure.error(error, characters: state.decoder.characters)
        case .success(let response) where !response.isSuccess:
            return HTTPFailure.error(status: response.status, headers: response, body: state.collected, model: model)
        case .success:
            do throws(LLMError) {
                switch state.mode {
                case .document:
                    deltas = try ChatStreamDecoder.decodeCompletion(state.collected)
                    return nil
                case .events, .waiting, .failure:
                    for event in state.parser.finish() { deltas += try state.decoder.decode(event) }
                    let finished = state.decoder.isDone || state.finishReason != nil
                        || deltas.contains { if case .finished = $0 { true } else { false } }
                    return finished ? nil : .streamCut(characters: state.decoder.characters)
                }
            } catch {
                return error
            }
        }
    }
}
