// What the documents folder's sync reports to the metrics registry (`serve --docs`): each look at the folder, the
// documents it read, removed or could not read, the chunks written, and the embeddings made. The counts come from
// FolderSync's reports, which this executable already composes (`documentReports` in main.swift).
import Retrieval
import Telemetry

/// The ingestion's metrics, made once in a registry.
struct IngestMetrics: Sendable {
    private let documents: [String: Counter]
    private let chunks: Counter
    private let bytes: Counter
    private let looks: Counter
    private let lookSeconds: Histogram
    private let inFolder: Gauge
    private let unreadable: Gauge
    private let storeFailures: Counter
    private let embedded: Counter
    private let embeddingFailures: Counter

    /// The `outcome` label of a document's event.
    /// Files that cannot be read are not counted here: every look reports them again (`quarry_documents_unreadable`
    /// says how many there are).
    static let outcomes = ["added", "updated", "removed"]

    init(_ registry: MetricsRegistry) {
        documents = Dictionary(uniqueKeysWithValues: Self.outcomes.map {
            ($0, registry.counter("quarry_ingest_documents_total",
                                  help: "Documents of the folder read in (added, updated) or removed.",
                                  labels: [("outcome", $0)]))
        })
        chunks = registry.counter("quarry_ingest_chunks_total", help: "Passages (chunks) written from documents read in.")
        bytes = registry.counter("quarry_ingest_bytes_total", help: "Bytes of documents read in.")
        looks = registry.counter("quarry_ingest_looks_total", help: "Looks at the documents folder for changes.")
        lookSeconds = registry.histogram("quarry_ingest_look_seconds", help: "Seconds a look at the documents folder took.",
                                         buckets: [0.01, 0.1, 1, 10, 60, 300, 1800])
        inFolder = registry.gauge("quarry_documents", help: "Documents of the folder in the knowledge base, as of the last look.")
        unreadable = registry.gauge("quarry_documents_unreadable",
                                    help: "Files of the folder that could not be read, as of the last look.")
        storeFailures = registry.counter("quarry_ingest_store_failures_total",
                                         help: "Looks that could not write the database (tried again at the next look).")
        embedded = registry.counter("quarry_embeddings_total", help: "Passages given an embedding.")
        embeddingFailures = registry.counter("quarry_embedding_failures_total",
                                             help: "Failed requests to the embeddings endpoint (search uses words alone meanwhile).")
    }

    /// Counts them, then hands them on to `reports`.
    func counting(_ reports: FolderSync.Reports) -> FolderSync.Reports {
        var counted = reports
        counted.event = { event in
            switch event {
            case .ingested(_, let chunks, let replaced, let bytes):
                documents[replaced ? "updated" : "added"]?.increment()
                self.chunks.increment(by: chunks)
                self.bytes.increment(by: Int(bytes))
            case .removed: documents["removed"]?.increment()
            case .skipped, .failed, .scanned, .unchanged: break
            }
            reports.event(event)
        }
        counted.passed = { summary, first, seconds in
            looks.increment()
            lookSeconds.record(seconds)
            inFolder.set(summary.added + summary.changed + summary.unchanged)
            unreadable.set(summary.skipped + summary.failed)
            reports.passed(summary, first, seconds)
        }
        counted.failed = { error in
            storeFailures.increment()
            reports.failed(error)
        }
        counted.embedded = { count in
            embedded.increment(by: count)
            reports.embedded(count)
        }
        counted.embeddingFailed = { error, retryIn in
            embeddingFailures.increment()
            reports.embeddingFailed(error, retryIn)
        }
        return counted
    }
}
