internal import Locking

/// Many transfers on one thread: libcurl's multi interface, driven by a thread this object owns.
///
/// `start(_:completion:)` hands a transfer over from any thread; its `onResponse`/`onBody` closures and then
/// `completion` run on the multi's thread, so they must be quick (hand the bytes on, don't parse a book). Cancel
/// a transfer with `cancel(_:)`: it is removed at once and completes with a cancelled `CurlError`. A transfer's
/// `watchdog`, when set, is asked every `tick` whether to keep going, for timeouts libcurl does not know about
/// (such as the time to an answer's first token).
public final class CurlMulti: @unchecked Sendable {
    // @unchecked: `pending`, `cancelled` and `stopping` are guarded by `lock`; `running` and `handle`'s easy
    // handles are touched only by the driving thread.
    private let handle: MultiHandle
    private let lock = Lock()
    private var pending: [(CurlTransfer, @Sendable (Result<CurlResponse, CurlError>) -> Void)] = []
    private var cancelled: [CurlTransfer] = []
    private var stopping = false
    private var running: [UnsafeMutableRawPointer: (CurlTransfer, @Sendable (Result<CurlResponse, CurlError>) -> Void)] = [:]
    private var count = 0
    private let stopped = Completion()
    /// How often watchdogs are asked.
    private let tick: Duration

    /// A multi handle and its thread.
    public init(tick: Duration = .milliseconds(50)) throws(CurlError) {
        handle = try MultiHandle()
        handle.attachCallbacks()
        self.tick = tick
        guard let thread = spawnThread({ [self] in run() }) else {
            throw CurlError(code: .failedInit, message: "could not start the transfer thread", url: "")
        }
        thread.detach()
    }

    deinit { shutdown() }

    /// Starts `transfer`; `completion` runs once, on the multi's thread, with its response or error.
    public func start(_ transfer: CurlTransfer,
                      completion: @escaping @Sendable (Result<CurlResponse, CurlError>) -> Void) {
        let accepted = lock.withLock { () -> Bool in
            guard !stopping else { return false }
            pending.append((transfer, completion))
            count += 1
            return true
        }
        guard accepted else {
            completion(.failure(.cancelled(code: .abortedByCallback, url: transfer.request.url)))
            return
        }
        handle.wakeup()
    }

    /// Stops `transfer` at once (it completes with a cancelled error); safe from any thread.
    public func cancel(_ transfer: CurlTransfer) {
        transfer.cancel()
        lock.withLock { cancelled.append(transfer) }
        handle.wakeup()
    }

    /// Transfers started and not yet completed.
    public var activeTransfers: Int { lock.withLock { count } }

    /// Cancels every transfer, waits for them to complete, and stops the thread. Safe to call twice.
    public func shutdown() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        if first { handle.wakeup() }
        stopped.wait()
    }

    private func run() {
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
            for transfer in toCancel { end(transfer, cancelled: true) }
            if stop {
                for (transfer, _) in running.values { end(transfer, cancelled: true) }
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
                for (transfer, _) in running.values where transfer.watchdog?() == false { end(transfer, cancelled: true) }
            }
            handle.wait(limit: running.isEmpty ? .seconds(1) : tick)
        }
        stopped.signal()
    }

    /// Removes a running transfer before libcurl finished it.
    private func end(_ transfer: CurlTransfer, cancelled: Bool) {
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
