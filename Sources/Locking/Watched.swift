// A value behind a lock that other threads can wait on until it satisfies a condition: how a snapshot waits for the
// Redis relay to have handed on a frame (Relay's fence), and what `Completion` is made of, without polling.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A value that only its lock lets you at, with waits for a condition on it.
public final class Watched<Value>: @unchecked Sendable {
    // @unchecked: `value` is touched only while `mutex` is held.
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// `value`, behind a new lock.
    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        MonotonicWaits.initialise(condition)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Changes the value (or only reads it) holding the lock, then wakes every waiter to look again.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&value)
    }

    /// A copy of the value now.
    public var current: Value {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return value
    }

    /// Waits until `satisfied` holds for the value or `timeout` passes (nil: no limit); whether it holds.
    @discardableResult
    public func wait(until satisfied: (Value) -> Bool, timeout: Duration?) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let timeout else {
            while !satisfied(value) { pthread_cond_wait(condition, mutex) }
            return true
        }
        var deadline = MonotonicWaits.deadline(after: timeout)
        while !satisfied(value) {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { return satisfied(value) }
        }
        return true
    }
}
