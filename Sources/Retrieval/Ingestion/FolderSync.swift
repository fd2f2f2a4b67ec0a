// Keeping the knowledge base in step with a folder while the server runs: ingest at start, then look again every
// few seconds. A look that finds nothing changed only stats the files (sizes and times); it reads none.
internal import Locking
public import Store
#if canImport(Glibc)
internal import Glibc
#endif

/// Mirrors a folder into the store on a thread of its own.
public final class FolderSync: Sendable {
    private let ingester: Ingester
    private let folder: String
    private let interval: Duration
    private let stopped = Locked(false)
    private let finished = Completion()

    /// Starts at once: the first pass ingests everything new; `report` hears every pass's summary (and each
    /// file's event) on the sync thread; `failed` hears store errors, after which it tries again next time.
    public init(ingester: Ingester, folder: String, interval: Duration = .seconds(5),
                report: @escaping @Sendable (IngestEvent) -> Void,
                passed: @escaping @Sendable (IngestSummary, _ first: Bool, _ seconds: Double) -> Void,
                failed: @escaping @Sendable (StoreError) -> Void) {
        self.ingester = ingester
        self.folder = folder
        self.interval = interval
        let thread = spawnThread { [self] in
            var first = true
            while !stopped.current {
                let started = ContinuousClock.now
                do throws(StoreError) {
                    let summary = try ingester.ingest([folder], report: report)
                    passed(summary, first, Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000)
                    first = false
                } catch {
                    failed(error)
                }
                pause()
            }
            finished.signal()
        }
        thread?.detach()
        if thread == nil { finished.signal() }
    }

    /// Stops after the pass in progress.
    public func stop() {
        stopped.withLock { $0 = true }
        finished.wait()
    }

    private func pause() {
        var left = interval
        while left > .zero, !stopped.current {
            let step = min(left, .milliseconds(100))
            usleep(UInt32(step / .microseconds(1)))
            left -= step
        }
    }
}
