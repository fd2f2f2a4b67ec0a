// A counter of running threads, over pthreads: one thread per connection keeps every stream's pacing
// independent (a slow reader blocks only its own thread), and 250 threads with small stacks cost little.
internal import Glibc
internal import Locking

/// Stack size of a connection thread: enough for the JSON parser's bounded recursion, small enough for hundreds.
let connectionStackSize = 512 * 1024

/// Counts running threads so that `stop()` can wait for the detached ones (a pthread mutex and condition).
final class ThreadGroup: @unchecked Sendable {
    // Guarded by `mutex`.
    private var running = 0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Starts `body` on a detached thread counted by the group; false if the thread could not be created.
    func spawn(_ body: @escaping @Sendable () -> Void) -> Bool {
        change(by: 1)
        let started = spawnThread(stackSize: connectionStackSize) { [self] in
            body()
            change(by: -1)
        }
        started?.detach()
        if started == nil { change(by: -1) }
        return started != nil
    }

    /// Blocks until every thread started by `spawn` has finished its body.
    func waitForAll() {
        pthread_mutex_lock(mutex)
        while running > 0 { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
    }

    private func change(by delta: Int) {
        pthread_mutex_lock(mutex)
        running += delta
        if running == 0 { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
    }
}

/// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds: the clock of pacing and of the `timestamps` fault.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Seconds since the Unix epoch (`time`), for the `created` field.
func unixTime() -> Int64 { Int64(time(nil)) }

/// Sleeps the calling thread (`nanosleep`).
func sleepThread(seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
