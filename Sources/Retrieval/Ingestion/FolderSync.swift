// Keeping the knowledge base in step with a folder while the server runs: ingest at start, then look again every
// few seconds. A look that finds nothing changed only stats the files (sizes and times); it reads none. Looks run
// on a thread of their own (file I/O and SQLite block), so they never hold one of Swift's concurrency threads.
// When an embedder is configured, chunks without a vector get one after each look; if the endpoint fails, it is
// tried again after a pause that doubles (30 s up to 10 minutes), so a model that is down costs a log line a while.
internal import Locking
public import Store

/// Mirrors a folder into the store until stopped.
public final class FolderSync: Sendable {
    /// What a folder sync tells its owner.
    public struct Reports: Sendable {
        /// Each file's event.
        public var event: @Sendable (IngestEvent) -> Void = { _ in }
        /// Each look's summary: whether it was the first, and how long it took.
        public var passed: @Sendable (IngestSummary, _ first: Bool, _ seconds: Double) -> Void = { _, _, _ in }
        /// A look that could not write the store; the next look tries again.
        public var failed: @Sendable (StoreError) -> Void = { _ in }
        /// Chunks embedded after a look (only when there were some).
        public var embedded: @Sendable (Int) -> Void = { _ in }
        /// The embeddings endpoint failed (what was embedded stays); `retryIn` until the next try.
        public var embeddingFailed: @Sendable (_ error: any Error, _ retryIn: Duration) -> Void = { _, _ in }

        public init() {}
    }

    private let task: Task<Void, Never>

    /// Starts at once: the first look ingests everything new.
    public init(ingester: Ingester, folder: String, interval: Duration = .seconds(5), embedder: (any Embedder)? = nil,
                reports: Reports) {
        task = Task.detached {
            var first = true
            var embedding = EmbeddingSchedule()
            while !Task.isCancelled {
                let started = ContinuousClock.now
                // With several hosts on one database, one looks (and embeds) at a time; the others wait for the
                // next round.
                let turn: Bool
                do throws(StoreError) {
                    turn = try await onOwnThread { () throws(StoreError) in try ingester.store.beginIngestionTurn() }
                } catch {
                    reports.failed(error)
                    turn = false
                }
                if turn {
                    do throws(StoreError) {
                        let summary = try await onOwnThread { () throws(StoreError) in
                            try ingester.ingest([folder], report: reports.event)
                        }
                        reports.passed(summary, first, Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000)
                        first = false
                    } catch {
                        reports.failed(error)
                    }
                    if let embedder, embedding.due, !Task.isCancelled {
                        do {
                            let count = try await ingester.store.embedPendingChunks(with: embedder)
                            embedding.succeeded()
                            if count > 0 { reports.embedded(count) }
                        } catch {
                            if !Task.isCancelled { reports.embeddingFailed(error, embedding.failed()) }
                        }
                    }
                    await onOwnThread { ingester.store.endIngestionTurn() }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Stops: waits for the look in progress, and abandons embeddings in flight (what was stored stays).
    public func stop() async {
        task.cancel()
        await task.value
    }
}

/// When to try the embeddings endpoint again after it failed.
struct EmbeddingSchedule {
    private var pause: Duration = .zero
    private var next = ContinuousClock.now

    var due: Bool { ContinuousClock.now >= next }

    mutating func succeeded() { pause = .zero }

    /// Records a failure; returns the pause before the next try.
    mutating func failed() -> Duration {
        pause = pause == .zero ? .seconds(30) : min(pause * 2, .seconds(600))
        next = ContinuousClock.now + pause
        return pause
    }
}
