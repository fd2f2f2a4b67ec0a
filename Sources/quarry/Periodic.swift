// The background rounds of `quarry serve` (retention, leases, the shared ceiling): a body run now and then every
// interval on a task of its own, until stopped.

/// Runs `round` at once and then every `interval` until `stop()`.
final class Periodic: Sendable {
    private let task: Task<Void, Never>

    /// Starts at once: the first round runs now.
    init(every interval: Duration, _ round: @escaping @Sendable () async -> Void) {
        task = Task.detached {
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Stops; waits for a round in progress.
    func stop() async {
        task.cancel()
        await task.value
    }
}
