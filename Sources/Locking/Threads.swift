// A thread and a one-shot completion signal over pthreads: the service thread, the transfer thread.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A thread started with ``spawnThread(_:)``.
public struct SpawnedThread: @unchecked Sendable {
    // @unchecked: a pthread_t is an opaque id, safe to copy between threads.
    private let id: pthread_t

    init(_ id: pthread_t) { self.id = id }

    /// Waits for the thread to end (`pthread_join`).
    public func join() { pthread_join(id, nil) }

    /// Lets the thread's resources go when it ends, without a join (`pthread_detach`).
    public func detach() { pthread_detach(id) }

    /// Whether this is the calling thread (`pthread_equal` with `pthread_self`).
    public var isCurrent: Bool { pthread_equal(id, pthread_self()) != 0 }
}

/// Starts `body` on a new thread (`pthread_create`), with a stack of `stackSize` bytes when given (threads by
/// the hundred want small ones); nil if the system refused.
public func spawnThread(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) -> SpawnedThread? {
    final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    guard result == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        return nil
    }
    return SpawnedThread(thread)
}

/// A flag that is raised once and can be waited for, with a timeout.
public final class Completion: Sendable {
    private let done = Watched(false)

    /// A flag not yet raised.
    public init() {}

    /// Raises the flag and wakes every waiter.
    public func signal() { done.withLock { $0 = true } }

    /// Waits until the flag is raised or `seconds` pass (nil: forever); true if it was raised.
    @discardableResult
    public func wait(seconds: Double? = nil) -> Bool {
        done.wait(until: { $0 }, timeout: seconds.map { .nanoseconds(Int64($0 * 1e9)) })
    }
}

/// Runs blocking work (file I/O, SQLite) on a thread of its own and waits for it without holding one of Swift's
/// concurrency threads, which a small machine has only as many of as it has cores.
public func onOwnThread<Result: Sendable, Failure: Error>(
    _ body: @escaping @Sendable () throws(Failure) -> Result
) async throws(Failure) -> Result {
    let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
        let thread = spawnThread {
            continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in try body() })
        }
        if let thread {
            thread.detach()
        } else {
            // No thread to be had (the system's limit): do the work here rather than fail.
            continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in try body() })
        }
    }
    return try outcome.get()
}
