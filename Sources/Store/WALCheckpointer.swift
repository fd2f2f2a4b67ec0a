// Checkpoints on a thread of their own. In WAL mode every commit appends pages to the log, and a checkpoint copies
// them into the database file and syncs it. SQLite does that on the connection whose commit crosses 1,000 pages,
// before the commit returns: ingestion's storing thread spent a fifth of its time in those copies (page-sized reads
// of the log, writes of the file, two syncs), and an answer's save could wait behind one. Here the writer's commit
// only wakes this thread, which checkpoints passively on a connection of its own: it copies what has been committed
// without taking the write lock, while the writer goes on appending. Crash safety is SQLite's: a checkpoint only
// copies committed pages, and a kill at any moment leaves the log to be replayed on the next open.
//
// The log cannot start over while the writer keeps appending (SQLite restarts it only at a write that finds
// everything copied), so a long ingestion grows it; past `inlineFrames` the committing connection checkpoints itself,
// as SQLite's own does, which then copies only the little this thread has not yet, and the next write starts the
// log over.
internal import Locking
internal import SQLite
#if canImport(Glibc)
internal import Glibc
#endif

/// Copies the writer's WAL into the database file on a thread and connection of its own.
///
/// Threading: `committed(frames:)` is called on the writer's thread (from SQLite's WAL hook) and only touches the
/// flags under `mutex`; the thread owns its connection alone.
final class WALCheckpointer: @unchecked Sendable {
    /// Frames in the log at which a commit wakes the thread.
    let wakeFrames: Int
    /// Frames in the log at which the committing connection checkpoints itself.
    let inlineFrames: Int

    // Guarded by `mutex`.
    private var pending = false
    private var stopping = false
    private var available = true
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var thread: SpawnedThread?

    /// Starts the thread, which opens its own connection to `path`. Sizes are in bytes of log, for pages of
    /// `pageSize` bytes.
    init(path: String, busyTimeout: Duration, pageSize: Int, wakeBytes: Int = 4 << 20, inlineBytes: Int = 32 << 20) {
        wakeFrames = max(1, wakeBytes / max(512, pageSize))
        inlineFrames = max(wakeFrames, inlineBytes / max(512, pageSize))
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        thread = spawnThread { [self] in run(path: path, busyTimeout: busyTimeout) }
        if thread == nil { markUnavailable() }
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Called after each commit with the frames now in the log; true asks the committing connection to checkpoint
    /// itself (the log is past `inlineFrames`, or this thread could not start or open the database).
    func committed(frames: Int) -> Bool {
        guard frames >= wakeFrames else { return false }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard available else { return true }
        pending = true
        pthread_cond_signal(wake)
        return frames >= inlineFrames
    }

    /// Ends the thread, letting a checkpoint in progress finish, and waits for it.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
        thread?.join()
        thread = nil
    }

    private func run(path: String, busyTimeout: Duration) {
        guard let connection = try? Connection(path: path, busyTimeout: busyTimeout) else {
            markUnavailable()
            return
        }
        while waitForWork() {
            // `.busy` means another connection is checkpointing this file: its copy serves as well as ours.
            _ = try? connection.checkpoint(.passive)
        }
    }

    /// Waits until a commit asks for a checkpoint (true) or the checkpointer stops (false).
    private func waitForWork() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !pending, !stopping { pthread_cond_wait(wake, mutex) }
        guard !stopping else { return false }
        pending = false
        return true
    }

    private func markUnavailable() {
        pthread_mutex_lock(mutex)
        available = false
        pthread_mutex_unlock(mutex)
    }
}
