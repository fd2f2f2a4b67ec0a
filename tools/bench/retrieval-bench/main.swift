// quarry-retrieval-bench: ingestion, query latency and answer quality of Quarry's retrieval on a real corpus
// (Debian's python3.11-doc HTML) and a labelled question set, and a synthetic scale run.
//
//   quarry-retrieval-bench --corpus DIR --questions FILE [--reference FILE] [--embeddings-url URL --embeddings-model M]
//                          [--quick]
//
// Prints each figure beside the issue's target and, from --reference (the JSON of
// tools/bench/retrieval-reference/reference.py run on the same machine just before), the reference baseline.
import Curl
import JSON
import LLM
import Retrieval
import StandIn
import Store
#if canImport(Glibc)
import Glibc
#endif

struct Question {
    let question: String
    let pages: Set<String>
}

struct Quality {
    var recall = 0.0
    var mrr = 0.0
    var latencies: [Double] = []  // milliseconds
}

func arguments() -> [String: String] {
    var out: [String: String] = [:]
    var args = CommandLine.arguments.dropFirst()
    while let name = args.popFirst() {
        guard name.hasPrefix("--") else { continue }
        let key = String(name.dropFirst(2))
        if key == "quick" { out[key] = "1" } else { out[key] = args.popFirst() ?? "" }
    }
    return out
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func readText(_ path: String) -> String? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The corpus's content pages, as reference.py chooses them.
func pages(_ root: String) -> [String] {
    var out: [String] = []
    func walk(_ folder: String) {
        guard let directory = opendir(folder) else { return }
        var names: [String] = []
        while let entry = readdir(directory) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
        }
        closedir(directory)
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                if !["_static", "_sources", "_images", "_downloads"].contains(name) { walk(path) }
            } else if name.hasSuffix(".html"), !["search.html", "py-modindex.html"].contains(name), !name.hasPrefix("genindex") {
                out.append(path)
            }
        }
    }
    walk(root)
    return out
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func fixed(_ value: Double, _ places: Int = 2) -> String {
    if places == 0 { return "\(Int(value.rounded()))" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int((value * scale).rounded())
    let whole = n / Int(scale), fraction = abs(n % Int(scale))
    let digits = String(fraction)
    return "\(n < 0 && whole == 0 ? "-" : "")\(whole)." + String(repeating: "0", count: places - digits.count) + digits
}

func line(_ label: String, _ value: String, _ reference: String = "", _ target: String = "", _ verdict: String = "") {
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
    print(pad(label, 46) + pad(value, 18) + pad(reference, 16) + pad(target, 14) + verdict)
}

/// Document-level recall@8 and MRR@8: documents ranked by their best chunk, first 8 distinct ones.
func evaluate(_ retriever: Retriever, _ questions: [Question], root: String, repeat times: Int) async throws -> Quality {
    var quality = Quality()
    var hits = 0, reciprocal = 0.0
    for question in questions {
        let results = try await retriever.search(question.question, limit: 64)
        var documents: [String] = []
        for result in results {
            let relative = String(result.chunk.documentPath.dropFirst(root.count + 1))
            if !documents.contains(relative) { documents.append(relative) }
            if documents.count == 8 { break }
        }
        if let rank = documents.firstIndex(where: question.pages.contains) {
            hits += 1
            reciprocal += 1 / Double(rank + 1)
        }
        for _ in 0..<times {
            let started = now()
            _ = try await retriever.search(question.question, limit: 8)
            quality.latencies.append((now() - started) * 1000)
        }
    }
    quality.recall = Double(hits) / Double(questions.count)
    quality.mrr = reciprocal / Double(questions.count)
    return quality
}

func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
}

let options = arguments()
guard let corpus = options["corpus"], let questionsPath = options["questions"] else {
    print("usage: quarry-retrieval-bench --corpus DIR --questions FILE [--reference FILE] [--embeddings-url URL --embeddings-model M] [--quick]")
    exit(2)
}
let quick = options["quick"] != nil
let root: String = {
    guard let resolved = realpath(corpus, nil) else { return corpus }
    defer { free(resolved) }
    return String(cString: resolved)
}()
guard let questionsJSON = readText(questionsPath).flatMap({ try? JSONValue.parse($0) })?.array else {
    print("cannot read \(questionsPath)")
    exit(2)
}
var questions = questionsJSON.compactMap { item -> Question? in
    guard let q = item["question"]?.string, let page = item["page"]?.string else { return nil }
    return Question(question: q, pages: Set([page] + (item["alternatives"]?.array?.compactMap(\.string) ?? [])))
}
if quick { questions = Array(questions.prefix(10)) }
let reference = options["reference"].flatMap(readText).flatMap { try? JSONValue.parse($0) }
func ref(_ key: String) -> Double? { reference?[key]?.double }

let folder = "/tmp/quarry-retrieval-bench-\(getpid())"
mkdir(folder, 0o755)
defer { _ = system("rm -rf '\(folder)'") }
var files = pages(root)
if quick {
    // The pages that answer the quick run's questions, and others around them to search among.
    let answers = Set(questions.flatMap(\.pages).map { root + "/" + $0 })
    files = files.filter(answers.contains) + files.filter { !answers.contains($0) }.prefix(50)
}
let store = try Store(path: folder + "/corpus.db")

print("Quarry retrieval benchmark: \(files.count) pages of \(root), \(questions.count) questions\n")
line("measure", "Quarry", "reference", "target", "")
// Ingestion: read, parse, chunk, index; one transaction per document.
var started = now()
let summary = try Ingester(store: store).ingest(files)
let ingestSeconds = now() - started
let megabytes = Double(summary.bytes) / 1e6
let rate = megabytes / ingestSeconds
line("ingestion", "\(fixed(rate, 1)) MB/s", ref("ingest_mb_per_s").map { "\(fixed($0, 1)) MB/s" } ?? "", "≥ 20 MB/s", quick ? "" : rate >= 20 ? "PASS" : "FAIL")
line("  files per second", fixed(Double(files.count) / ingestSeconds, 0))
line("  pages, MB, chunks", "\(summary.added), \(fixed(megabytes, 1)), \(summary.chunks)",
     reference.map { "\($0["pages"]?.int64 ?? 0), \(fixed(($0["html_bytes"]?.double ?? 0) / 1e6, 1)), \($0["chunks"]?.int64 ?? 0)" } ?? "")
_ = system("sqlite3 '\(folder)/corpus.db' 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1")
let size = Double(fileSize(folder + "/corpus.db") + fileSize(folder + "/corpus.db-wal")) / 1e6
line("  database size", "\(fixed(size, 1)) MB", ref("db_bytes").map { "\(fixed($0 / 1e6, 1)) MB" } ?? "")

// BM25.
let bm25 = try await evaluate(Retriever(store: store), questions, root: root, repeat: quick ? 1 : 5)
line("BM25 recall@8 (document level)", fixed(bm25.recall, 3), ref("recall_at_8").map { fixed($0, 3) } ?? "", "≥ reference",
     ref("recall_at_8").map { bm25.recall >= $0 ? "PASS" : "FAIL" } ?? "")
line("BM25 MRR@8", fixed(bm25.mrr, 3), ref("mrr_at_8").map { fixed($0, 3) } ?? "", "≥ reference",
     ref("mrr_at_8").map { bm25.mrr >= $0 ? "PASS" : "FAIL" } ?? "")
line("BM25 query p50", "\(fixed(percentile(bm25.latencies, 0.5))) ms", ref("query_ms_p50").map { "\(fixed($0)) ms" } ?? "")
line("BM25 query p99", "\(fixed(percentile(bm25.latencies, 0.99))) ms", ref("query_ms_p99").map { "\(fixed($0)) ms" } ?? "",
     "≤ 5 ms", quick ? "" : percentile(bm25.latencies, 0.99) <= 5 ? "PASS" : "FAIL")

// The same index with every matching chunk scored (no rare/common split): what LexicalSearch saves, and that it
// loses nothing.
let full = try await evaluate(Retriever(store: store, configuration: RetrievalConfiguration(lexicalBudget: .max)), questions,
                              root: root, repeat: quick ? 1 : 5)
line("  every matching chunk scored: recall / MRR", "\(fixed(full.recall, 3)) / \(fixed(full.mrr, 3))")
line("  every matching chunk scored: p50 / p99",
     "\(fixed(percentile(full.latencies, 0.5))) / \(fixed(percentile(full.latencies, 0.99))) ms")

// Hybrid: embeddings from the stand-in server (hashed words: plumbing, not meaning) and, if given, a real model;
// each fusion method on the same vectors.
func hybrid(_ name: String, _ configuration: LLMConfiguration, multi: CurlMulti) async throws {
    let embedder = EndpointEmbedder(client: LLMClient(configuration: configuration, multi: multi))
    let start = now()
    let embedded = try await store.embedPendingChunks(with: embedder, batch: 64)
    let seconds = now() - start
    print("")
    line("hybrid, \(name)", "")
    line("  chunks embedded", "\(embedded) in \(fixed(seconds, 1)) s")
    let fusions: [(String, Fusion)] = [
        ("RRF k=60", .reciprocalRank(k: 60)), ("weighted, meaning 0.3", .weighted(meaning: 0.3)),
        ("weighted, meaning 0.5", .weighted(meaning: 0.5)), ("weighted, meaning 0.7", .weighted(meaning: 0.7)),
    ]
    for (label, fusion) in fusions {
        let retriever = Retriever(store: store, embedder: embedder, configuration: RetrievalConfiguration(fusion: fusion))
        let quality = try await evaluate(retriever, questions, root: root, repeat: quick ? 1 : 2)
        let mark = fusion == .default ? " (default)" : ""
        line("  \(label)\(mark): recall@8 / MRR@8", "\(fixed(quality.recall, 3)) / \(fixed(quality.mrr, 3))",
             "\(fixed(bm25.recall, 3)) / \(fixed(bm25.mrr, 3)) BM25", "> BM25",
             quality.recall > bm25.recall && quality.mrr > bm25.mrr ? "above" : "not above")
        line("    query p50 / p99 (with the embedding call)",
             "\(fixed(percentile(quality.latencies, 0.5))) / \(fixed(percentile(quality.latencies, 0.99))) ms")
    }
}
let multi = try CurlMulti()
let standIn = StandInServer(configuration: StandInConfiguration(tokensPerSecond: 0, embeddingDimensions: 384))
let standInPort = try standIn.start()
try await hybrid("stand-in embeddings (hashed words, 384 dims)", LLMConfiguration(
    baseURL: "http://127.0.0.1:\(standInPort)/v1", model: "standin-chat", embeddingsModel: "standin-embed"), multi: multi)
standIn.stop()
if let url = options["embeddings-url"], let model = options["embeddings-model"] {
    try await hybrid("\(model) (a real embedding model)", LLMConfiguration(baseURL: url, model: "none", embeddingsModel: model,
                                                                          firstTokenTimeout: .seconds(600), totalTimeout: .seconds(600)), multi: multi)
}

// Scale: 100,000 synthetic chunks for BM25, and 100,000 × 384 vectors for the exact scan.
let scale = quick ? 5_000 : 100_000
print("")
line("scale: \(scale) chunks", "")
let scaleStore = try Store(path: folder + "/scale.db")
/// A small deterministic generator, so every run indexes the same synthetic text.
struct Generator {
    var seed: UInt64 = 7
    mutating func next() -> Int {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Int(seed >> 33)
    }
    /// Uniform in 0..<1.
    mutating func unit() -> Double { Double(next()) / Double(1 << 31) }
}
/// Text as words occur in prose: a 30,000-word vocabulary drawn by Zipf's law (the k-th commonest word k times
/// rarer than the first), with the questions' words placed at random ranks among them.
struct ZipfText {
    var generator = Generator()
    var vocabulary = (0..<30_000).map { "w\($0)" }
    var cumulative: [Double] = []

    init(placing words: [String]) {
        for word in Set(words).sorted() { vocabulary[20 + generator.next() % 20_000] = word }
        var total = 0.0
        for rank in 1...vocabulary.count {
            total += 1 / Double(rank)
            cumulative.append(total)
        }
    }

    mutating func words(_ count: Int) -> String {
        (0..<count).map { _ in
            let target = generator.unit() * cumulative.last!
            var low = 0, high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] < target { low = middle + 1 } else { high = middle }
            }
            return vocabulary[low]
        }.joined(separator: " ")
    }
}
var text = ZipfText(placing: questions.flatMap { QueryTerms($0.question).words })
started = now()
for document in 0..<(scale / 100) {
    let chunks = (0..<100).map { i in
        NewChunk(ordinal: i, headingPath: ["Section \(i / 10)"], text: text.words(150))
    }
    try scaleStore.replaceDocument(path: "/synthetic/\(document)", title: "Synthetic \(document)", contentHash: "\(document)",
                                   size: 1, modifiedAt: 1, chunks: chunks)
}
line("  synthetic ingestion", "\(fixed(now() - started, 1)) s")
let scaleRetriever = Retriever(store: scaleStore)
var scaleLatencies: [Double] = []
for question in questions {
    let start = now()
    _ = try await scaleRetriever.search(question.question, limit: 8)
    scaleLatencies.append((now() - start) * 1000)
}
line("  BM25 query p50 / p99", "\(fixed(percentile(scaleLatencies, 0.5))) / \(fixed(percentile(scaleLatencies, 0.99))) ms")
let dimension = 384
var vectors = [Float](repeating: 0, count: scale * dimension)
for i in vectors.indices { vectors[i] = Float(text.generator.next() % 2001 - 1000) / 1000 }
let index = VectorIndex(ids: (0..<scale).map(Int64.init), vectors: vectors, dimension: dimension)
var vectorLatencies: [Double] = []
for q in 0..<50 {
    let query = Array(vectors[(q * 997 % scale) * dimension..<((q * 997 % scale) + 1) * dimension])
    let start = now()
    _ = index.nearest(to: query, k: 8)
    vectorLatencies.append((now() - start) * 1000)
}
let vectorP99 = percentile(vectorLatencies, 0.99)
line("  vector top-8 over \(scale) × \(dimension) p50 / p99", "\(fixed(percentile(vectorLatencies, 0.5))) / \(fixed(vectorP99)) ms",
     "", quick ? "" : "≤ 10 ms", quick ? "" : vectorP99 <= 10 ? "PASS" : "FAIL")
