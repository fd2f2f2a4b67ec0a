// Hybrid retrieval: embeddings from the stand-in server (hashed words: plumbing, not meaning) and, if given, a real
// model; each fusion method on the same vectors, beside BM25 alone.
import Curl
import LLM
import Retrieval
import Store

func hybrid(_ name: String, _ configuration: LLMConfiguration, multi: CurlMulti, store: Store, questions: [Question],
            page: (String) -> String, bm25: Quality, quick: Bool) async throws {
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
        let quality = try await evaluate(retriever, questions, page: page, repeat: quick ? 1 : 2)
        let mark = fusion == .default ? " (default)" : ""
        line("  \(label)\(mark): recall@8 / MRR@8", "\(fixed(quality.recall, 3)) / \(fixed(quality.mrr, 3))",
             "\(fixed(bm25.recall, 3)) / \(fixed(bm25.mrr, 3)) BM25", "> BM25",
             quality.recall > bm25.recall && quality.mrr > bm25.mrr ? "above" : "not above")
        line("    query p50 / p99 (with the embedding call)",
             "\(fixed(percentile(quality.latencies, 0.5))) / \(fixed(percentile(quality.latencies, 0.99))) ms")
    }
}
