internal import Locking

/// Many transfers on one thread: libcurl's multi interface, driven by a thread this object owns. The thread and
/// the multi handle start with the first transfer, so a multi nobody uses costs no thread and never loads libcurl.
///
/// `start(_:completion:)` hands a transfer over from any thread; its `onResponse`/`onBody` closures and then
/// `completion` run on the multi's thread, so they must be quick (hand the bytes on, don't parse a book). Cancel
/// a transfer with `cancel(_:)`: it is removed at once and completes with a cancelled `CurlError`. A transfer's
/// `watchdog`, when set, is asked every `tick` whether to keep going, for timeouts libcurl does not know about
/// (such as the time to an answer's first token).
public final class CurlMulti: @unchecked Sendable {
    // @unchecked: `handle` (once set), `pending`, `cancelled` and `stopping` are guarded by `lock`; `running` and
    // the handle's easy handles are touched only by the driving thread.
    private var handle: MultiHandle?
    private let lock = Lock()
    private var pending: [(CurlTransfer, @Sendable (Result<CurlResponse, CurlError>) -> Void)] = []
    private var cancelled: [CurlTransfer] = []
    private var stopping = false
    private var running: [UnsafeMutableRawPointer: (CurlTransfer, @Sendable (Result<CurlResponse, CurlError>) -> Void)] = [:]
    private var count = 0
    private let stopped = Completion()
    /// How often watchdogs are asked.
    private let tick: Duration

    /// A multi whose handle and thread start with the first transfer. Throws nothing today; a transfer that
    /// cannot start them (libcurl missing) completes with the `CurlError`.
    public init(tick: Duration = .milliseconds(50)) throws(CurlError) {
        self.tick = tick
    }

    deinit { shutdown() }

    /// Starts `transfer`; `completion` runs once, on the multi's thread, with its response or error.
    public func start(_ transfer: CurlTransfer,
                      completion: @escaping @Sendable (Result<CurlResponse, CurlError>) -> Void) {
        let accepted = lock.withLock { () -> Result<MultiHandle, CurlError> in
            guard !stopping else { return .failure(.cancelled(code: .abortedByCallback, url: transfer.request.url)) }
            let started = handle.map { Result.success($0) } ?? Result { () throws(CurlError) in try startHandle() }
            if case .success = started {
                pending.append((transfer, completion))
                count += 1
            }
            return started
        }
        switch accepted {
        case .success(let handle): handle.wakeup()
        case .failure(let error): completion(.failure(error))
        }
    }

    /// The multi handle and its driving thread, started; called under `lock` by the first `start`.
    private func startHandle() throws(CurlError) -> MultiHandle {
        let started = try MultiHandle()
        started.attachCallbacks()
        guard let thread = spawnThread({ [self] in run(started) }) else {
            throw CurlError(code: .failedInit, message: "could not start the transfer thread", url: "")
        }
        thread.detach()
        handle = started
        return started
    }

    /// Stops `transfer` at once (it completes with a cancelled error); safe from any thread.
    public func cancel(_ transfer: CurlTransfer) {
        transfer.cancel()
        let started = lock.withLock { () -> MultiHandle? in
            cancelled.append(transfer)
            return handle
        }
        started?.wakeup()
    }

    /// Transfers started and not yet completed.
    public var activeTransfers: Int { lock.withLock { count } }

    /// Cancels every transfer, waits for them to complete, and stops the thread. Safe to call twice.
    public func shutdown() {
        let (first, started) = lock.withLock { () -> (Bool, MultiHandle?) in
            defer { stopping = true }
            return (!stopping, handle)
        }
        guard let started else { return }  // never started: no thread to stop
        if first { started.wakeup() }
        stopped.wait()
    }

    private func run(_ handle: MultiHandle) {
        var lastTick = ContinuousClock.now
        while true {
            let (added, toCancel, stop) = lock.withLock { () -> ([(CurlTransfer, @Sendable (Result<CurlResponse, CurlError>) -> Void)], [CurlTransfer], Bool) in
                defer { pending = []; cancelled = [] }
                return (pending, cancelled, stopping)
            }
            for (transfer, completion) in added {
                if transfer.isCancelled || stop || !handle.add(transfer.easy) {
                    complete(transfer, completion, .failure(.cancelled(code: .abortedByCallback, url: transfer.request.url)))
                } else {
                    running[transfer.easy.pointer] = (transfer, completion)
                }
            }
            if !added.isEmpty { handle.kick() }
            for transfer in toCancel { end(transfer, handle) }
            if stop {
                for (transfer, _) in running.values { end(transfer, handle) }
                break
            }
            for (easy, code) in handle.finished() {
                guard let (transfer, completion) = running.removeValue(forKey: easy) else { continue }
                handle.remove(transfer.easy)
                complete(transfer, completion, Result { () throws(CurlError) in try transfer.finish(code) })
            }
            let now = ContinuousClock.now
            if now - lastTick >= tick {
                lastTick = now
                for (transfer, _) in running.values where transfer.watchdog?() == false { end(transfer, handle) }
            }
            handle.wait(limit: running.isEmpty ? .seconds(1) : tick)
        }
        stopped.signal()
    }

    /// Removes a running transfer before libcurl finished it.
    private func end(_ transfer: CurlTransfer, _ handle: MultiHandle) {
        guard let (_, completion) = running.removeValue(forKey: transfer.easy.pointer) else { return }
        transfer.cancel()
        handle.remove(transfer.easy)
        complete(transfer, completion, .failure(.cancelled(code: .abortedByCallback, url: transfer.request.url)))
    }

    private func complete(_ transfer: CurlTransfer, _ completion: @Sendable (Result<CurlResponse, CurlError>) -> Void,
                          _ result: Result<CurlResponse, CurlError>) {
        completion(result)
        lock.withLock { count -= 1 }
    }
}
