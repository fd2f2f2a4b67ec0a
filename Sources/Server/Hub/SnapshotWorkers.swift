// The threads that make snapshots, so the service thread never waits for one: a first-in, first-out queue and a
// few threads taking from it, started at the first job and ended when the hub goes.
internal import Locking

/// A small pool of threads running snapshot jobs in the order they were queued.
final class SnapshotWorkers: Sendable {
    typealias Job = @Sendable () -> Void

    private let queue = Handoff<Job>(budget: Int.max)
    private let threads: Int
    private let started = Locked(false)

    init(threads: Int) { self.threads = threads }

    deinit { queue.finish() }

    /// Queues `job`; it runs on one of the pool's threads.
    func run(_ job: @escaping Job) {
        startIfNeeded()
        queue.put(job, cost: 1)
    }

    private func startIfNeeded() {
        let start = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard start else { return }
        for _ in 0..<threads {
            // The threads hold the queue, not the pool: the pool's deinit ends them.
            let queue = self.queue
            // The default stack, as the service thread has: rendering Markdown happens here now.
            spawnThread {
                while let job = queue.take() { job() }
            }?.detach()
        }
    }
}
