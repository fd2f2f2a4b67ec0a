// What the PostgreSQL retrieval benchmark shares in spirit with tools/bench/retrieval-bench (options, clock, the
// corpus's pages, recall and MRR): the same definitions, kept small here rather than making that executable a library.
import JSON
import Retrieval
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `--name value` pairs; `--quick` and `--differences` alone.
func arguments() -> [String: String] {
    var out: [String: String] = [:]
    var args = CommandLine.arguments.dropFirst()
    while let name = args.popFirst() {
        guard name.hasPrefix("--") else { continue }
        let key = String(name.dropFirst(2))
        if key == "quick" || key == "differences" { out[key] = "1" } else { out[key] = args.popFirst() ?? "" }
    }
    return out
}

/// Seconds on the monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The absolute path with symlinks resolved, or the path itself.
func resolved(_ path: String) -> String {
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
}

struct Question {
    let question: String
    /// The pages that answer it (relative to the HTML root: `library/json.html`).
    let pages: Set<String>
}

/// The labelled questions (tools/corpus/README.md): each with its page and alternatives.
func readQuestions(_ path: String) -> [Question]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
    while case let n = fread(&buffer, 1, buffer.count, file), n > 0 { bytes += buffer[0..<n] }
    guard let items = (try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)))?.array else { return nil }
    return items.compactMap { item in
        guard let q = item["question"]?.string, let page = item["page"]?.string else { return nil }
        return Question(question: q, pages: Set([page] + (item["alternatives"]?.array?.compactMap(\.string) ?? [])))
    }
}

/// The corpus's content pages, as tools/corpus/corpus.py chooses them.
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

/// The question's page for a document under `root`: its path relative to it.
func pageNamer(root: String) -> (String) -> String {
    { String($0.dropFirst(root.count + 1)) }
}

struct Quality {
    var recall = 0.0
    var mrr = 0.0
    var latencies: [Double] = []  // milliseconds
    /// Each question's answering page's place among the first 8 documents (1 is first), nil when not there.
    var ranks: [Int?] = []
    /// Each question's first 8 documents.
    var documents: [[String]] = []
}

/// Document-level recall@8 and MRR@8 as tools/bench/retrieval-bench/Quality.swift measures them: documents ranked
/// by their best chunk in the search's own order, the first 8 distinct ones; and each question's latency at 8.
func evaluate(_ retriever: Retriever, _ questions: [Question], page: (String) -> String) async throws -> Quality {
    var quality = Quality()
    var hits = 0, reciprocal = 0.0
    var order = retriever.configuration
    order.relevance = .coverage
    order.cutoff = 0
    let searchOrder = Retriever(store: retriever.store, embedder: retriever.embedder, configuration: order)
    for question in questions {
        let results = try await searchOrder.search(question.question, context: [], limit: 64)
        var documents: [String] = []
        for result in results {
            let relative = page(result.chunk.documentPath)
            if !documents.contains(relative) { documents.append(relative) }
            if documents.count == 8 { break }
        }
        let rank = documents.firstIndex(where: question.pages.contains)
        quality.ranks.append(rank.map { $0 + 1 })
        quality.documents.append(documents)
        if let rank {
            hits += 1
            reciprocal += 1 / Double(rank + 1)
        }
        let started = now()
        _ = try await retriever.search(question.question, context: [], limit: 8)
        quality.latencies.append((now() - started) * 1000)
    }
    quality.recall = Double(hits) / Double(questions.count)
    quality.mrr = reciprocal / Double(questions.count)
    return quality
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func fixed(_ value: Double, _ places: Int = 2) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int((value * scale).rounded())
    let whole = n / Int(scale), fraction = abs(n % Int(scale))
    let digits = String(fraction)
    return "\(n < 0 && whole == 0 ? "-" : "")\(whole)." + String(repeating: "0", count: places - digits.count) + digits
}

/// One row of the table.
func line(_ label: String, _ sqlite: String, _ postgres: String) {
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
    print(pad(label, 46) + pad(sqlite, 22) + postgres)
}
