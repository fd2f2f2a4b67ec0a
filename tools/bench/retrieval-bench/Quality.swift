// Answer quality on the labelled questions: document-level recall@8 and MRR@8 (tools/corpus/README.md), and the
// latency of each question.
import Retrieval
import Store

struct Question {
    let question: String
    /// The pages that answer it (relative to the HTML root: `library/json.html`).
    let pages: Set<String>
    /// The conversation's earlier questions, searched with it (follow-ups).
    var context: [String] = []
}

struct Quality {
    var recall = 0.0
    var mrr = 0.0
    var latencies: [Double] = []  // milliseconds
}

/// Document-level recall@8 and MRR@8: documents ranked by their best chunk, first 8 distinct ones. `page` names a
/// document's path as the questions do (`/…/pdf/library/json.pdf` → `library/json.html`). Quality is measured in
/// the search's own order, every passage kept (the percentage's ordering and cut-off are measured apart, by
/// RelevanceFigure.swift, on the 8 passages an answer gets); latency with `retriever` as configured.
func evaluate(_ retriever: Retriever, _ questions: [Question], page: (String) -> String, repeat times: Int) async throws
    -> Quality
{
    var quality = Quality()
    var hits = 0, reciprocal = 0.0
    var order = retriever.configuration
    order.relevance = .coverage
    order.cutoff = 0
    let searchOrder = Retriever(store: retriever.store, embedder: retriever.embedder, configuration: order)
    for question in questions {
        let results = try await searchOrder.search(question.question, context: question.context, limit: 64)
        var documents: [String] = []
        for result in results {
            let relative = page(result.chunk.documentPath)
            if !documents.contains(relative) { documents.append(relative) }
            if documents.count == 8 { break }
        }
        if let rank = documents.firstIndex(where: question.pages.contains) {
            hits += 1
            reciprocal += 1 / Double(rank + 1)
        }
        for _ in 0..<times {
            let started = now()
            _ = try await retriever.search(question.question, context: question.context, limit: 8)
            quality.latencies.append((now() - started) * 1000)
        }
    }
    quality.recall = Double(hits) / Double(questions.count)
    quality.mrr = reciprocal / Double(questions.count)
    return quality
}

/// The question's page for a document under `root`: the path relative to it, its extension made `.html`.
func pageNamer(root: String, extension suffix: String = ".html") -> (String) -> String {
    { path in
        var relative = String(path.dropFirst(root.count + 1))
        if suffix != ".html", relative.hasSuffix(suffix) { relative = String(relative.dropLast(suffix.count)) + ".html" }
        return relative
    }
}
