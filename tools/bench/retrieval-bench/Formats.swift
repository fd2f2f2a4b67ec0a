// Ingestion speed per format, on the corpus's forms that tools/corpus/make-formats makes (reST in the package;
// Markdown, text, PDF, DOCX, ODT and EPUB in .corpus/), each beside the reference measured in the same run
// (tools/bench/retrieval-reference/formats.py: a Python chunker with FTS5, or pdftotext itself for PDF).
import JSON
import Retrieval
import Store

/// Which pages each part of the run uses: `tools/corpus/corpus.py selection [--quick]`.
struct Selection {
    var html: [String]
    var pdf: [String]
    var sources: [String]
    var office: [String]
    var questions: Int

    init?(_ json: JSONValue?) {
        func list(_ key: String) -> [String]? { json?[key]?.array?.compactMap(\.string) }
        guard let html = list("html"), let pdf = list("pdf"), let sources = list("sources"), let office = list("office"),
              let questions = json?["questions"]?.int64 else { return nil }
        (self.html, self.pdf, self.sources, self.office, self.questions) = (html, pdf, sources, office, Int(questions))
    }
}

/// What a format's ingestion speed is held to.
enum SpeedTarget {
    /// At least this many MB/s.
    case megabytesPerSecond(Double)
    /// At least this share of the reference's MB/s (PDF: of pdftotext's own speed).
    case shareOfReference(Double)

    var label: String {
        switch self {
        case .megabytesPerSecond(let rate): "≥ \(fixed(rate, 0)) MB/s"
        case .shareOfReference(let share): "≥ \(fixed(share * 100, 0)) % ref."
        }
    }

    func met(_ rate: Double, reference: Double?) -> Bool? {
        switch self {
        case .megabytesPerSecond(let target): rate >= target
        case .shareOfReference(let share): reference.map { rate >= share * $0 }
        }
    }
}

/// One format's files, as the benchmark ingests them.
struct FormatSet {
    /// How many times the text formats are ingested, each into a fresh database; the fastest run counts, as on the
    /// reference's side (formats.py --repeat): one run on a shared 2-core machine can be off by half.
    static let textRuns = 3

    /// As printed: "reST", "PDF".
    let name: String
    /// Its key in formats.py's JSON, and its folder under .corpus/ for the made formats.
    let key: String
    let files: [String]
    let target: SpeedTarget

    /// Ingestions to make: several for the text formats, whose speed the store bounds; one for the rest.
    var runs: Int { ["rst", "markdown", "text"].contains(key) ? Self.textRuns : 1 }

    /// The sets of a selection: the files that exist of each form of its pages.
    static func all(_ selection: Selection, root: String, made: String) -> [FormatSet] {
        func stem(_ page: String) -> String { String(page.dropLast(".html".count)) }
        func madeFiles(_ folder: String, _ suffix: String, _ pages: [String]) -> [String] {
            pages.map { "\(made)/\(folder)/\(stem($0)).\(suffix)" }.filter(exists)
        }
        return [
            FormatSet(name: "reST", key: "rst", files: selection.sources.map { "\(root)/_sources/\(stem($0)).rst.txt" }.filter(exists),
                      target: .megabytesPerSecond(30)),
            FormatSet(name: "Markdown", key: "markdown", files: madeFiles("markdown", "md", selection.sources),
                      target: .megabytesPerSecond(30)),
            FormatSet(name: "plain text", key: "text", files: madeFiles("text", "txt", selection.sources),
                      target: .megabytesPerSecond(30)),
            FormatSet(name: "HTML", key: "html", files: selection.html.map { "\(root)/\($0)" }.filter(exists),
                      target: .megabytesPerSecond(20)),
            FormatSet(name: "PDF", key: "pdf", files: madeFiles("pdf", "pdf", selection.pdf), target: .shareOfReference(0.8)),
            FormatSet(name: "DOCX", key: "docx", files: madeFiles("docx", "docx", selection.office), target: .megabytesPerSecond(1)),
            FormatSet(name: "ODT", key: "odt", files: madeFiles("odt", "odt", selection.office), target: .megabytesPerSecond(1)),
            FormatSet(name: "EPUB", key: "epub", files: madeFiles("epub", "epub", selection.office), target: .megabytesPerSecond(1)),
        ]
    }
}

/// One format's ingestion into a store of its own.
struct FormatRun {
    let store: Store
    let summary: IngestSummary
    let seconds: Double
    /// Why files were not read, with how many of each.
    let reasons: [(reason: String, count: Int)]
    /// Every run's seconds, when the format was ingested more than once (`seconds` is the fastest).
    var allSeconds: [Double] = []

    init(store: Store, summary: IngestSummary, seconds: Double, reasons: [(reason: String, count: Int)] = []) {
        (self.store, self.summary, self.seconds, self.reasons) = (store, summary, seconds, reasons)
    }

    init(_ set: FormatSet, database: String) throws {
        store = try Store(path: database)
        var reasons: [String: Int] = [:]
        let started = now()
        summary = try Ingester(store: store).ingest(set.files) { event in
            switch event {
            case .skipped(_, let reason), .failed(_, let reason): reasons[reason, default: 0] += 1
            default: break
            }
        }
        seconds = now() - started
        self.reasons = reasons.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
    }

    /// Ingests `set` `set.runs` times, each into a fresh database under `folder`; the fastest run, with every run's
    /// seconds.
    static func fastest(_ set: FormatSet, folder: String) throws -> FormatRun {
        var runs: [FormatRun] = []
        for index in 0..<set.runs {
            let name = index == 0 ? "format-\(set.key).db" : "format-\(set.key)-\(index).db"
            runs.append(try FormatRun(set, database: "\(folder)/\(name)"))
        }
        var best = runs.min { $0.seconds < $1.seconds }!
        best.allSeconds = runs.map(\.seconds)
        return best
    }

    var megabytes: Double { Double(summary.bytes) / 1e6 }
    var read: Int { summary.added + summary.changed }
}

/// Ingests each format into its own store under `folder` (but those in `done`, ingested already) and prints its speed
/// beside the reference's; returns the runs by key (the PDF run's store is asked the questions next).
func ingestionByFormat(_ sets: [FormatSet], done: [String: FormatRun], folder: String, reference: JSONValue?, quick: Bool)
    throws -> [String: FormatRun]
{
    print("")
    line("ingestion by format (MB of source per s)", "Quarry", "reference", "target", "")
    var runs = done
    for set in sets {
        let ref = reference?[set.key]
        let refRate = ref?["mb_per_s"]?.double
        let refText = refRate.map { rate($0, "MB/s") } ?? ""
        guard !set.files.isEmpty else {
            line("  \(set.name)", "n/a", refText, set.target.label, "no files: run tools/corpus/make-formats")
            continue
        }
        let run = try done[set.key] ?? FormatRun.fastest(set, folder: folder)
        runs[set.key] = run
        let label = "  \(set.name): \(run.read) of \(set.files.count) files, \(fixed(run.megabytes, 1)) MB"
        guard run.read > 0 else {
            line(label, "n/a", refText, set.target.label, "not read: \(run.reasons.first?.reason ?? "?")")
            continue
        }
        let mbps = run.megabytes / run.seconds
        let met = set.target.met(mbps, reference: refRate)
        line(label, rate(mbps, "MB/s"), refText, set.target.label, met.map { verdict($0, judged: !quick) } ?? "")
        if run.allSeconds.count > 1 {
            let sorted = run.allSeconds.sorted()
            line("    fastest of \(sorted.count) runs; median, slowest",
                 "\(rate(run.megabytes / sorted[sorted.count / 2], "MB/s")), \(rate(run.megabytes / sorted.last!, "MB/s"))")
        }
        line("    files per second, chunks", "\(fixed(Double(run.read) / run.seconds, 0)), \(run.summary.chunks)",
             ref?["files_per_s"]?.double.map { "\(fixed($0, 0)), \(ref?["chunks"]?.int64.map(String.init) ?? "-")" } ?? "")
        if let alone = readingAlone(set.files) {
            line("    reading and chunking alone (no store)", rate(alone, "MB/s"))
        }
        if set.key == "pdf", let refRate {
            line("    share of pdftotext's own speed", "\(fixed(mbps / refRate * 100, 0)) %")
        }
        for (reason, count) in run.reasons.prefix(3) { line("    \(count) not read: \(reason)", "") }
    }
    return runs
}

/// MB/s of the reader and chunker alone over `files` (read from disk first, one thread, nothing stored): what the
/// store's half of ingestion costs is the difference.
func readingAlone(_ files: [String]) -> Double? {
    let reader = DocumentReader()
    let contents = files.compactMap { path in
        DocumentFormat.of(path: path).flatMap { format in readBytes(path).map { (path, format, $0) } }
    }
    guard !contents.isEmpty else { return nil }
    var bytes = 0
    let started = now()
    for (path, format, content) in contents {
        if (try? reader.read(content, format: format, path: path, fallbackTitle: "")) != nil { bytes += content.count }
    }
    let seconds = now() - started
    return bytes > 0 ? Double(bytes) / 1e6 / seconds : nil
}
