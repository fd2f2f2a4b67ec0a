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
public final class Completion: @unchecked Sendable {
    // Guarded by `mutex`.
    private var done = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// A flag not yet raised.
    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Raises the flag and wakes every waiter.
    public func signal() {
        pthread_mutex_lock(mutex)
        done = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until the flag is raised or `seconds` pass (nil: forever); true if it was raised.
    @discardableResult
    public func wait(seconds: Double? = nil) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let seconds else {
            while !done { pthread_cond_wait(condition, mutex) }
            return true
        }
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanos = Int(deadline.tv_nsec) + Int((seconds - seconds.rounded(.down)) * 1e9)
        deadline.tv_sec += Int(seconds.rounded(.down)) + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        while !done {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        return done
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
