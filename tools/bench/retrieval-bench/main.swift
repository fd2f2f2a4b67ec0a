// quarry-retrieval-bench: ingestion, query latency and answer quality of Quarry's retrieval on a real corpus
// (Debian's python3.11-doc) and a labelled question set, the corpus's other formats, and a synthetic scale run.
//
//   quarry-retrieval-bench --corpus DIR --questions FILE [--selection FILE] [--formats DIR] [--reference FILE]
//                          [--baseline FILE] [--format-reference FILE] [--memory FILE]
//                          [--embeddings-url URL --embeddings-model M] [--quick]
//
// tools/bench/retrieval runs it with every file below made just before on the same machine, and each figure is
// printed beside its reference and target:
//   --selection         the pages of the run (tools/corpus/corpus.py selection [--quick]; without it, every page,
//                       or in the quick run the quick questions' pages and 50 others)
//   --formats           the corpus's other formats (.corpus/, made by tools/corpus/make-formats)
//   --reference         reference.py's JSON: a plain Python chunker with FTS5 on the HTML
//   --baseline          baseline.py's JSON: the issue's FTS5 baseline (porter, stop words, title and headings 3:1)
//   --format-reference  formats.py's JSON: the reference's speed per format (pdftotext's own for PDF)
//   --memory            retrieval_memory.py's JSON: the peak RSS of `quarry ingest` over a mixed folder
import Curl
import JSON
import LLM
import Retrieval
import StandIn
import Store
#if canImport(Glibc)
import Glibc
#endif

let options = arguments()
guard let corpus = options["corpus"], let questionsPath = options["questions"] else {
    print("usage: quarry-retrieval-bench --corpus DIR --questions FILE [--selection FILE] [--formats DIR] [--reference FILE] "
        + "[--baseline FILE] [--format-reference FILE] [--memory FILE] [--embeddings-url URL --embeddings-model M] [--quick]")
    exit(2)
}
let quick = options["quick"] != nil
let root = resolved(corpus)
guard let questionsJSON = readJSON(questionsPath)?.array else {
    print("cannot read \(questionsPath)")
    exit(2)
}
let selection = Selection(readJSON(options["selection"]))
if options["selection"] != nil && selection == nil {
    print("cannot read the selection \(options["selection"] ?? "")")
    exit(2)
}
var questions = questionsJSON.compactMap { item -> Question? in
    guard let q = item["question"]?.string, let page = item["page"]?.string else { return nil }
    return Question(question: q, pages: Set([page] + (item["alternatives"]?.array?.compactMap(\.string) ?? [])))
}
if let selection { questions = Array(questions.prefix(selection.questions)) } else if quick { questions = Array(questions.prefix(10)) }
let reference = readJSON(options["reference"])
func ref(_ key: String) -> Double? { reference?[key]?.double }
let baseline = readJSON(options["baseline"])

let folder = "/tmp/quarry-retrieval-bench-\(getpid())"
mkdir(folder, 0o755)
defer { _ = system("rm -rf '\(folder)'") }
var files = pages(root)
if let selection {
    files = selection.html.map { root + "/" + $0 }
} else if quick {
    // The pages that answer the quick run's questions, and others around them to search among.
    let answers = Set(questions.flatMap(\.pages).map { root + "/" + $0 })
    files = files.filter(answers.contains) + files.filter { !answers.contains($0) }.prefix(50)
}
let store = try Store(path: folder + "/corpus.db")
let htmlPage = pageNamer(root: root)

print("Quarry retrieval benchmark: \(files.count) pages of \(root), \(questions.count) questions\n")
line("measure", "Quarry", "reference", "target", "")
// Ingestion: read, parse, chunk, index.
let started = now()
let summary = try Ingester(store: store).ingest(files)
let ingestSeconds = now() - started
let megabytes = Double(summary.bytes) / 1e6
let htmlRate = megabytes / ingestSeconds
line("ingestion", "\(fixed(htmlRate, 1)) MB/s", ref("ingest_mb_per_s").map { "\(fixed($0, 1)) MB/s" } ?? "", "≥ 20 MB/s", quick ? "" : htmlRate >= 20 ? "PASS" : "FAIL")
line("  files per second", fixed(Double(files.count) / ingestSeconds, 0))
line("  pages, MB, chunks", "\(summary.added), \(fixed(megabytes, 1)), \(summary.chunks)",
     reference.map { "\($0["pages"]?.int64 ?? 0), \(fixed(($0["html_bytes"]?.double ?? 0) / 1e6, 1)), \($0["chunks"]?.int64 ?? 0)" } ?? "")
_ = system("sqlite3 '\(folder)/corpus.db' 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1")
let size = Double(fileSize(folder + "/corpus.db") + fileSize(folder + "/corpus.db-wal")) / 1e6
line("  database size", "\(fixed(size, 1)) MB", ref("db_bytes").map { "\(fixed($0 / 1e6, 1)) MB" } ?? "")

// BM25, beside reference.py and the issue's baseline.
let bm25 = try await evaluate(Retriever(store: store), questions, page: htmlPage, repeat: quick ? 1 : 5)
line("BM25 recall@8 (document level)", fixed(bm25.recall, 3), ref("recall_at_8").map { fixed($0, 3) } ?? "", "≥ reference",
     ref("recall_at_8").map { bm25.recall >= $0 ? "PASS" : "FAIL" } ?? "")
line("BM25 MRR@8", fixed(bm25.mrr, 3), ref("mrr_at_8").map { fixed($0, 3) } ?? "", "≥ reference",
     ref("mrr_at_8").map { bm25.mrr >= $0 ? "PASS" : "FAIL" } ?? "")
line("BM25 query p50", "\(fixed(percentile(bm25.latencies, 0.5))) ms", ref("query_ms_p50").map { "\(fixed($0)) ms" } ?? "")
line("BM25 query p99", "\(fixed(percentile(bm25.latencies, 0.99))) ms", ref("query_ms_p99").map { "\(fixed($0)) ms" } ?? "",
     "≤ 5 ms", quick ? "" : percentile(bm25.latencies, 0.99) <= 5 ? "PASS" : "FAIL")
if let recall = baseline?["recall_at_8"]?.double, let mrr = baseline?["mrr_at_8"]?.double {
    line("BM25 against the issue's FTS5 baseline", "", "baseline", "")
    line("  recall@8", fixed(bm25.recall, 3), fixed(recall, 3), "≥ baseline", verdict(bm25.recall >= recall, judged: !quick))
    line("  MRR@8", fixed(bm25.mrr, 3), fixed(mrr, 3), "≥ baseline", verdict(bm25.mrr >= mrr, judged: !quick))
    line("  (porter, stop words, title+headings 3:1)", "", "\(baseline?["chunks"]?.int64 ?? 0) chunks")
}

// The percentage beside each source: how well it tells right passages from wrong ones, beside the old figure; and
// where the answering page sits among the 8 an answer gets (why the sources an answer did not cite are still listed,
// as "also searched", rather than hidden: docs/chat.md).
try await relevanceFigure(store: store, questions: questions, page: htmlPage, cutoff: RetrievalConfiguration().cutoff)

// Follow-up questions, searched alone and with their conversation.
let questionsFolder = resolved(questionsPath).split(separator: "/", omittingEmptySubsequences: false).dropLast()
    .joined(separator: "/")
try await followUps(store: store, path: options["followups"] ?? questionsFolder + "/python-followups.json",
                    questions: questions, indexed: Set(files.map(htmlPage)), page: htmlPage, quick: quick)

// The same index with every matching chunk scored (no rare/common split): what LexicalSearch saves, and that it
// loses nothing.
let full = try await evaluate(Retriever(store: store, configuration: RetrievalConfiguration(lexicalBudget: .max)), questions,
                              page: htmlPage, repeat: quick ? 1 : 5)
line("  every matching chunk scored: recall / MRR", "\(fixed(full.recall, 3)) / \(fixed(full.mrr, 3))")
line("  every matching chunk scored: p50 / p99",
     "\(fixed(percentile(full.latencies, 0.5))) / \(fixed(percentile(full.latencies, 0.99))) ms")

// The other formats: speed, the PDF form's answer quality, memory.
if let made = options["formats"].map(resolved), let selection {
    let sets = FormatSet.all(selection, root: root, made: made)
    let html = FormatRun(store: store, summary: summary, seconds: ingestSeconds)
    let runs = try ingestionByFormat(sets, done: ["html": html], folder: folder,
                                     reference: readJSON(options["format-reference"]), quick: quick)
    try await pdfForm(runs["pdf"], pdfFiles: sets.first { $0.key == "pdf" }?.files ?? [], made: made, root: root,
                      htmlFiles: files, html: bm25, questions: questions, folder: folder, quick: quick)
}
if let memory = readJSON(options["memory"]) { printMemory(memory, quick: quick) }

let multi = try CurlMulti()
let standIn = StandInServer(configuration: StandInConfiguration(tokensPerSecond: 0, embeddingDimensions: 384))
let standInPort = try standIn.start()
try await hybrid("stand-in embeddings (hashed words, 384 dims)", LLMConfiguration(
    baseURL: "http://127.0.0.1:\(standInPort)/v1", model: "standin-chat", embeddingsModel: "standin-embed"), multi: multi,
    store: store, questions: questions, page: htmlPage, bm25: bm25, quick: quick)
standIn.stop()
if let url = options["embeddings-url"], let model = options["embeddings-model"] {
    try await hybrid("\(model) (a real embedding model)", LLMConfiguration(baseURL: url, model: "none", embeddingsModel: model,
                                                                          firstTokenTimeout: .seconds(600), totalTimeout: .seconds(600)),
                     multi: multi, store: store, questions: questions, page: htmlPage, bm25: bm25, quick: quick)
}

try await scaleRun(questions, folder: folder, quick: quick)
