// `quarry ingest` and `quarry search`: the knowledge base from a terminal.
import Curl
import LLM
import Retrieval
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard error at once (progress and messages); standard output is for results.
func note(_ text: String) {
    var line = text
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The database path: the flag, else QUARRY_DB, else ./quarry.db.
func databasePath(_ flag: String?, _ environment: Environment) -> String {
    flag ?? environment["QUARRY_DB"] ?? "./quarry.db"
}

/// Opens the database the flag, QUARRY_DB or ./quarry.db names: a SQLite file or a PostgreSQL URL; exits with the
/// reason (64 for a URL that cannot be read, 1 when it cannot be opened).
func openDatabase(_ flag: String?, _ environment: Environment, host: JobHost = JobHost()) -> any QuarryStorage {
    let location: DatabaseLocation
    do { location = try DatabaseLocation(databasePath(flag, environment)) } catch { fail("\(error)", code: 64) }
    do { return try location.open(host: host) } catch { fail("\(error)", code: 1) }
}

/// The embeddings endpoint, when embeddings are asked for: QUARRY_EMBEDDINGS_MODEL set, and an endpoint
/// (QUARRY_LLM_BASE_URL or an API key). Embeddings are opt-in: a model server that has none would fail every time.
func embeddingsConfiguration(_ environment: Environment) throws(UsageError) -> LLMConfiguration? {
    guard environment["QUARRY_EMBEDDINGS_MODEL"] != nil else { return nil }
    let configuration: LLMConfiguration?
    do { configuration = try LLMConfiguration.fromEnvironment(environment.values) } catch {
        throw UsageError(message: error.description)
    }
    guard let configuration else {
        throw UsageError(message: "QUARRY_EMBEDDINGS_MODEL is set, but no endpoint: set QUARRY_LLM_BASE_URL (or an API key).")
    }
    return configuration
}

/// The embedder the environment asks for, if any; exits 64 for a setting to fix, 1 if the HTTP client cannot start.
func embedderOrExit(_ environment: Environment) -> EndpointEmbedder? {
    let configuration: LLMConfiguration?
    do { configuration = try embeddingsConfiguration(environment) } catch { fail(error.message, code: 64) }
    guard let configuration else { return nil }
    do {
        return EndpointEmbedder(client: LLMClient(configuration: configuration, multi: try CurlMulti()))
    } catch {
        fail("The HTTP client could not start: \(error)", code: 1)
    }
}

func runIngest(_ options: IngestOptions, environment: Environment) async {
    let embedder = embedderOrExit(environment)
    let store = openDatabase(options.db, environment)
    let progress = IngestProgress(interactive: isatty(2) != 0)
    let started = ContinuousClock.now
    let summary: IngestSummary
    do {
        summary = try Ingester(store: store).ingest(options.paths) { progress.show($0) }
    } catch {
        fail("The database could not be written: \(error)", code: 1)
    }
    progress.finish()
    let seconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
    for path in summary.missing { note("quarry: \(path): no such file or folder\n") }
    note(IngestProgress.summary(summary, seconds: seconds) + "\n")
    var embeddingFailed = false
    if let embedder {
        note("Embedding new chunks with \(embedder.model)…\n")
        do {
            let count = try await store.embedPendingChunks(with: embedder) { done in
                if isatty(2) != 0 { note("\r  \(done) chunks embedded") }
            }
            note((isatty(2) != 0 ? "\n" : "") + "Embedded \(count) chunks.\n")
        } catch {
            let reason = (error as? LLMError)?.logMessage ?? "\(error)"
            note("\nquarry: embeddings failed (search still works, by words; run ingest again to resume): \(reason)\n")
            embeddingFailed = true
        }
    }
    if !summary.missing.isEmpty || summary.failed > 0 || embeddingFailed { exit(1) }
}

func runSearch(_ options: SearchOptions, environment: Environment) async {
    let limit = options.limit.map { Int($0) ?? 0 } ?? 8
    guard (1...100).contains(limit) else { fail("--limit must be a whole number from 1 to 100.", code: 64) }
    let store = openDatabase(options.db, environment)
    let embedder = embedderOrExit(environment)
    let started = ContinuousClock.now
    let results: [RetrievedPassage]
    do {
        results = try await Retriever(store: store, embedder: embedder).search(options.question, limit: limit)
    } catch {
        fail("The search failed: \(error)", code: 1)
    }
    let milliseconds = Double((ContinuousClock.now - started) / .microseconds(1)) / 1000
    if results.isEmpty {
        let empty = (try? store.knowledgeBaseCounts().documents) == 0
        print(empty ? "The knowledge base is empty: add documents with quarry ingest FOLDER." :
                      "Nothing in the knowledge base matches that question.")
    }
    for passage in results {
        let place = ([passage.chunk.documentTitle] + passage.chunk.headingPath).joined(separator: " › ")
            + (pageLabel(passage.chunk.pages).map { ", \($0)" } ?? "")
        var scores = passage.bm25.map { "bm25 \(rounded($0, 2))" } ?? ""
        if let similarity = passage.similarity { scores += (scores.isEmpty ? "" : ", ") + "cosine \(rounded(Double(similarity), 3))" }
        print("\(passage.rank). \(passage.relevance)%  \(place)")
        print("   \(passage.chunk.documentPath)  (\(scores))")
        let excerpt = passage.chunk.text.split(whereSeparator: \.isNewline).joined(separator: " ")
        print("   " + (excerpt.count > 240 ? String(excerpt.prefix(240)) + "…" : excerpt))
    }
    note("\(results.count) results in \(rounded(milliseconds, 1)) ms\n")
}

func rounded(_ value: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = (value * scale).rounded() / scale
    return "\(n)"
}

/// Progress of an ingestion on a terminal (one updating line) or in a log (a line per file).
final class IngestProgress: @unchecked Sendable {
    // Used from one thread: the ingesting one.
    let interactive: Bool
    private var total = 0, done = 0, bytes: Int64 = 0
    private var lastDraw = ContinuousClock.now

    init(interactive: Bool) { self.interactive = interactive }

    func show(_ event: IngestEvent) {
        switch event {
        case .scanned(let count):
            total = count
            return
        case .ingested(let path, let chunks, let replaced, let size):
            done += 1
            bytes += size
            if !interactive { note("\(replaced ? "updated" : "added") \(path) (\(chunks) chunks)\n") }
        case .unchanged:
            done += 1
        case .removed(let path):
            if !interactive { note("removed \(path)\n") }
        case .skipped(let path, let reason), .failed(let path, let reason):
            if interactive { note("\r\u{1B}[K") }
            note("skipped \(path): \(reason)\n")
        }
        if interactive, ContinuousClock.now - lastDraw > .milliseconds(50) || done == total {
            lastDraw = .now
            let width = 30, filled = total == 0 ? width : width * done / total
            note("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) files, \(rounded(Double(bytes) / 1e6, 1)) MB")
        }
    }

    func finish() { if interactive && total > 0 { note("\n") } }

    static func summary(_ s: IngestSummary, seconds: Double) -> String {
        let megabytes = Double(s.bytes) / 1e6
        let rate = seconds > 0 ? " (\(rounded(megabytes / seconds, 1)) MB/s)" : ""
        return "Ingested \(s.added + s.changed) files (\(s.added) new, \(s.changed) changed), \(s.unchanged) unchanged, "
            + "\(s.removed) removed, \(s.skipped + s.failed) skipped: \(s.chunks) chunks, \(rounded(megabytes, 1)) MB "
            + "in \(rounded(seconds, 2)) s\(rate)."
    }
}
