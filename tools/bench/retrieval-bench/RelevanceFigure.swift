// Whether the percentage beside a source means something: on the labelled questions, how well it separates the
// passages of a right page from the others among the first 8 found (ROC AUC: the chance that a right passage,
// picked at random, shows a higher figure than a wrong one; ties count half), for each measure in the same run,
// and what a cut-off relative to the best passage would leave out.
import Retrieval
import Store

/// The figures of one question's first passages, each with whether it is from a right page.
private struct Labelled {
    var figure: Double
    var right: Bool
}

/// One question's first 8 passages: whether each is from a right page, its BM25, and the figure `measure` shows.
private func found(_ measure: RelevanceMeasure, store: Store, questions: [Question], page: (String) -> String)
    async throws -> [[(right: Bool, bm25: Double, shown: Double)]]
{
    let retriever = Retriever(store: store, configuration: RetrievalConfiguration(relevance: measure, cutoff: 0))
    var lists: [[(right: Bool, bm25: Double, shown: Double)]] = []
    for question in questions {
        let found = try await retriever.search(question.question, limit: 8)
        lists.append(found.map { (question.pages.contains(page($0.chunk.documentPath)), $0.bm25 ?? 0, Double($0.relevance)) })
    }
    return lists
}

/// ROC AUC over every passage of every list (pooled), and the mean of each list's own (lists with both kinds).
private func areaUnderCurve(_ lists: [[Labelled]]) -> (pooled: Double, withinList: Double) {
    func auc(_ items: [Labelled]) -> Double? {
        let right = items.filter(\.right).map(\.figure), wrong = items.filter { !$0.right }.map(\.figure)
        guard !right.isEmpty, !wrong.isEmpty else { return nil }
        var wins = 0.0
        for r in right {
            for w in wrong { wins += r > w ? 1 : r == w ? 0.5 : 0 }
        }
        return wins / Double(right.count * wrong.count)
    }
    let each = lists.compactMap(auc)
    return (auc(lists.flatMap { $0 }) ?? .nan, each.isEmpty ? .nan : each.reduce(0, +) / Double(each.count))
}

func relevanceFigure(store: Store, questions: [Question], page: (String) -> String, cutoff: Double) async throws {
    let plain = try await found(.coverage, store: store, questions: questions, page: page)
    let weighted = try await found(.weightedCoverage, store: store, questions: questions, page: page)
    func figures(_ lists: [[(right: Bool, bm25: Double, shown: Double)]],
                 _ figure: ((right: Bool, bm25: Double, shown: Double), _ best: Double) -> Double) -> [[Labelled]] {
        lists.map { list in
            let best = list.map(\.bm25).max() ?? 0
            return list.map { Labelled(figure: figure($0, best), right: $0.right) }
        }
    }
    let shown = figures(plain) { item, _ in item.shown }
    let candidates: [(String, [[Labelled]])] = [
        ("coverage (Quarry's)", shown),
        ("weighted coverage", figures(weighted) { item, _ in item.shown }),
        ("BM25 / the list's best BM25", figures(plain) { item, best in best > 0 ? item.bm25 / best : 0 }),
    ]
    line("relevance figure, first 8 passages", "ROC AUC", "within a list", "mean: right / wrong")
    for (name, lists) in candidates {
        let (pooled, within) = areaUnderCurve(lists)
        let all = lists.flatMap { $0 }
        func mean(_ values: [Double]) -> String {
            values.isEmpty ? "n/a" : fixed(values.reduce(0, +) / Double(values.count), 2)
        }
        line("  \(name)", fixed(pooled, 3), fixed(within, 3),
             "\(mean(all.filter(\.right).map(\.figure))) / \(mean(all.filter { !$0.right }.map(\.figure)))")
    }
    // A cut-off at a share of the best passage's figure: what it would drop of each kind, and the questions whose
    // every right passage it would drop.
    let all = shown.flatMap { $0 }
    let wrongTotal = all.filter { !$0.right }.count, rightTotal = all.filter(\.right).count
    line("  cut-off at a share of the best", "wrong dropped", "right dropped", "questions losing their answer")
    for share in [0.3, 0.5, 0.7, 0.9] {
        var wrongDropped = 0, rightDropped = 0, lost = 0
        for list in shown {
            let floor = (list.first?.figure ?? 0) * share
            let dropped = list.filter { $0.figure < floor }
            wrongDropped += dropped.filter { !$0.right }.count
            rightDropped += dropped.filter(\.right).count
            if list.contains(where: \.right) && !list.contains(where: { $0.right && $0.figure >= floor }) { lost += 1 }
        }
        let marker = abs(share - cutoff) < 0.001 ? " (Quarry's)" : ""
        line("    \(fixed(share * 100, 0)) %\(marker)", "\(fixed(Double(wrongDropped) / Double(max(1, wrongTotal)) * 100, 0)) %",
             "\(fixed(Double(rightDropped) / Double(max(1, rightTotal)) * 100, 0)) %", "\(lost)")
    }
}
