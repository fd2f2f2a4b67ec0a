// The PDF form's answer quality (the same questions asked of the corpus printed to PDF, beside the HTML form of the
// same pages) and the memory `quarry ingest` takes over a mixed folder (measured by retrieval_memory.py).
import JSON
import Retrieval
import Store

/// Asks the questions of the PDF run's store and of the HTML form of the same pages (the main store when it holds
/// exactly those pages), and prints both. The quick run's 10 questions are too few to judge by (one rank moves MRR
/// by 0.05): it prints the figures only.
func pdfForm(_ run: FormatRun?, pdfFiles: [String], made: String, root: String, htmlFiles: [String], html: Quality,
             questions: [Question], folder: String, quick: Bool) async throws {
    print("")
    guard let run, run.read > 0 else {
        line("PDF form: the same questions", "n/a", "", "", "no PDFs read")
        return
    }
    let pdfRoot = made + "/pdf"
    let pages = pdfFiles.map { String($0.dropFirst(pdfRoot.count + 1).dropLast(".pdf".count)) + ".html" }
    let sameHTML = pages.map { root + "/" + $0 }
    var htmlForm = html
    if Set(sameHTML) != Set(htmlFiles) {
        let store = try Store(path: folder + "/pdf-pages-html.db")
        _ = try Ingester(store: store).ingest(sameHTML)
        htmlForm = try await evaluate(Retriever(store: store), questions, page: pageNamer(root: root), repeat: 1)
    }
    let pdf = try await evaluate(Retriever(store: run.store), questions, page: pageNamer(root: pdfRoot, extension: ".pdf"),
                                 repeat: 1)
    line("PDF form: \(run.read) PDFs, \(questions.count) questions", "PDF", "HTML form", "")
    line("  recall@8", fixed(pdf.recall, 3), fixed(htmlForm.recall, 3), "≥ HTML − 0.03", verdict(pdf.recall >= htmlForm.recall - 0.03, judged: !quick))
    line("  MRR@8", fixed(pdf.mrr, 3), fixed(htmlForm.mrr, 3), "≥ HTML − 0.03", verdict(pdf.mrr >= htmlForm.mrr - 0.03, judged: !quick))
    line("  query p50 / p99", "\(fixed(percentile(pdf.latencies, 0.5))) / \(fixed(percentile(pdf.latencies, 0.99))) ms")
}

/// The peak RSS of `quarry ingest` over a mixed folder, beside the same binary ingesting an empty folder; with its
/// converters (pdftotext, pdftohtml) and as wait4's ru_maxrss, for information.
func printMemory(_ memory: JSONValue, quick: Bool) {
    guard let peak = memory["peak_rss_kb"]?.double else { return }
    func megabytes(_ key: String) -> String { memory[key]?.double.map { "\(fixed($0 / 1024, 1)) MB" } ?? "" }
    let read = (memory["bytes_read"]?.double ?? 0) / 1e6
    let given = (memory["bytes_given"]?.double ?? 0) / 1e6
    print("")
    line("memory: quarry ingest, its peak RSS", megabytes("peak_rss_kb"), megabytes("idle_rss_kb") + " idle", "≤ 64 MB",
         read >= 100 ? verdict(peak / 1024 <= 64, judged: !quick) : "")
    line("  with its converters at the same time", megabytes("with_converters_kb"))
    line("  ru_maxrss (/usr/bin/time's %M)", megabytes("ru_maxrss_kb"))
    line("  documents read of given, files, seconds",
         "\(fixed(read, 1)) of \(fixed(given, 1)) MB, \(memory["files_read"]?.int64 ?? 0), \(fixed(memory["seconds"]?.double ?? 0, 1)) s")
    if read < 100 { line("  (judged only over ≥ 100 MB read)", "") }
}
