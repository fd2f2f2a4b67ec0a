// The one lock every module uses: a mutex over pthread_mutex_t.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A mutual-exclusion lock; `withLock` is the only way in.
///
/// Not `Synchronization.Mutex`: on Linux it trips ThreadSanitizer false positives (see PLATFORM-NOTES).
public final class Lock: @unchecked Sendable {
    // Heap-allocated so the mutex never moves; only pthread calls touch it.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// A new, unlocked lock.
    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` while holding the lock.
    public func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Runs `body` while holding the lock if it is free now; returns nil, without waiting, if it is held.
    public func withLockIfAvailable<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value that only a lock lets you at.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is touched only inside `lock.withLock`.
    private let lock = Lock()
    private var value: Value

    /// `value`, behind a new lock.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { () throws -> Result in try body(&value) }
    }

    /// A copy of the value now.
    public var current: Value { withLock { $0 } }
}
