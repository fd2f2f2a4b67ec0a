// Time for rate limits and timeouts.
#if canImport(Glibc)
internal import Glibc
#endif

/// Seconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
