// quarry-retrieval-postgres-bench: BM25 on PostgreSQL beside BM25 on SQLite, on the same corpus (Debian's
// python3.11-doc), the same labelled questions (tools/corpus/python-questions.json) and the same Retriever: ingestion
// time, document-level recall@8 and MRR@8, and query latency, side by side, plus PostgreSQL's own ts_rank_cd in
// place of BM25 (TsRank.swift) for comparison.
//
//   quarry-retrieval-postgres-bench --corpus DIR --questions FILE [--postgres URL] [--quick] [--differences]
//
// Without --postgres it starts a PostgreSQL of its own (the tests' TestPostgres: a throwaway cluster on loopback,
// deleted at exit). --quick: the first 10 questions over their pages and 50 others. --differences: the questions
// whose answering page stands at another place on PostgreSQL, with both lists. tools/bench/retrieval-postgres
// builds and runs it.
import Postgres
import Retrieval
import Store
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

let options = arguments()
guard let corpus = options["corpus"], let questionsPath = options["questions"] else {
    print("usage: quarry-retrieval-postgres-bench --corpus DIR --questions FILE [--postgres URL] [--quick] [--differences]")
    exit(2)
}
let quick = options["quick"] != nil
let root = resolved(corpus)
guard var questions = readQuestions(questionsPath) else {
    print("cannot read \(questionsPath)")
    exit(2)
}
var files = pages(root)
if quick {
    questions = Array(questions.prefix(10))
    let answers = Set(questions.flatMap(\.pages).map { root + "/" + $0 })
    files = files.filter(answers.contains) + files.filter { !answers.contains($0) }.prefix(50)
}

let folder = "/tmp/quarry-retrieval-postgres-bench-\(getpid())"
mkdir(folder, 0o755)
defer { _ = system("rm -rf '\(folder)'") }
var server: TestPostgres?
let url: String
if let given = options["postgres"] {
    url = given
} else {
    server = try TestPostgres()
    url = try server!.createDatabase()
}
defer { server = nil }  // stops it and deletes its folder
let sqlite = try Store(path: folder + "/corpus.db")
let postgres = try PostgresStore(PostgresConfiguration(url: url))
let page = pageNamer(root: root)

print("BM25 on PostgreSQL beside SQLite: \(files.count) pages of \(root), \(questions.count) questions\n")
line("measure", "SQLite (FTS5)", "PostgreSQL")

var started = now()
let sqliteSummary = try Ingester(store: sqlite).ingest(files)
let sqliteSeconds = now() - started
started = now()
let postgresSummary = try Ingester(store: postgres).ingest(files)
let postgresSeconds = now() - started
line("chunks", "\(sqliteSummary.chunks)", "\(postgresSummary.chunks)")
line("ingestion", "\(fixed(sqliteSeconds, 1)) s", "\(fixed(postgresSeconds, 1)) s")
// What autovacuum does within a minute of a large ingestion: the visibility map that index-only scans of the
// postings need, and the planner's statistics. Measured now rather than whenever autovacuum comes.
try PostgresConnection(PostgresConfiguration(url: url)).execute("VACUUM (ANALYZE) chunk_terms, chunks, documents")

let a = try await evaluate(Retriever(store: sqlite), questions, page: page)
let b = try await evaluate(Retriever(store: postgres), questions, page: page)
line("BM25 recall@8 (document level)", fixed(a.recall, 3), fixed(b.recall, 3))
line("BM25 MRR@8", fixed(a.mrr, 3), fixed(b.mrr, 3))
line("BM25 query p50", "\(fixed(percentile(a.latencies, 0.5))) ms", "\(fixed(percentile(b.latencies, 0.5))) ms")
line("BM25 query p99", "\(fixed(percentile(a.latencies, 0.99))) ms", "\(fixed(percentile(b.latencies, 0.99))) ms")

if options["differences"] != nil {
    print("\nquestions whose answering page stands elsewhere (SQLite's place → PostgreSQL's):")
    for (index, question) in questions.enumerated() where a.ranks[index] != b.ranks[index] {
        print("  \(a.ranks[index].map(String.init) ?? "-") → \(b.ranks[index].map(String.init) ?? "-")  \(question.question)")
        print("      SQLite:     \(a.documents[index].joined(separator: " "))")
        print("      PostgreSQL: \(b.documents[index].joined(separator: " "))")
    }
    print("")
}

let everything = RetrievalConfiguration(lexicalBudget: .max)
let fullA = try await evaluate(Retriever(store: sqlite, configuration: everything), questions, page: page)
let fullB = try await evaluate(Retriever(store: postgres, configuration: everything), questions, page: page)
line("every matching chunk scored: recall / MRR", "\(fixed(fullA.recall, 3)) / \(fixed(fullA.mrr, 3))",
     "\(fixed(fullB.recall, 3)) / \(fixed(fullB.mrr, 3))")
line("every matching chunk scored: p50 / p99",
     "\(fixed(percentile(fullA.latencies, 0.5))) / \(fixed(percentile(fullA.latencies, 0.99))) ms",
     "\(fixed(percentile(fullB.latencies, 0.5))) / \(fixed(percentile(fullB.latencies, 0.99))) ms")

let tsRank = try TsRankStorage(postgres, url: url)
let c = try await evaluate(Retriever(store: tsRank), questions, page: page)
line("ts_rank_cd instead of BM25: recall / MRR", "", "\(fixed(c.recall, 3)) / \(fixed(c.mrr, 3))")
line("ts_rank_cd: p50 / p99", "",
     "\(fixed(percentile(c.latencies, 0.5))) / \(fixed(percentile(c.latencies, 0.99))) ms")
print("\nrecall and MRR within 0.02 of SQLite's: \(abs(a.recall - b.recall) <= 0.02 && abs(a.mrr - b.mrr) <= 0.02 ? "PASS" : "FAIL")")
