// Condition variables that time out by the monotonic clock (a change of the wall clock neither shortens nor stretches
// a wait), for `Watched` and `Handoff`.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

enum MonotonicWaits {
    /// Initialises `condition` to measure timed waits by `CLOCK_MONOTONIC`.
    static func initialise(_ condition: UnsafeMutablePointer<pthread_cond_t>) {
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// The moment `timeout` from now (now, if it is negative), on `CLOCK_MONOTONIC`, for `pthread_cond_timedwait`.
    static func deadline(after timeout: Duration) -> timespec {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanos = Int(deadline.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec += Int(seconds) + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        return deadline
    }
}
