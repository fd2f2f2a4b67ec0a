// Whether the percentage beside a source means something: on the labelled questions, how well it separates the
// passages of a right page from the others among the first 8 found (ROC AUC: the chance that a right passage,
// picked at random, shows a higher figure than a wrong one; ties count half), for each measure in the same run;
// what ordering the 8 by it does to where the answering page sits; what a cut-off relative to the best passage
// leaves out; and what a figure says, band by band (how often a passage showing it was from a right page).
import Retrieval
import Store

/// A passage's figure, and whether it is from a right page.
private struct Labelled {
    var figure: Double
    var right: Bool
}

/// One question's first 8 passages as `measure` lists them (no cut-off): whether each is from a right page, its
/// document, its BM25 and the percentage shown.
private struct Found {
    var right: Bool
    var document: String
    var bm25: Double
    var shown: Double
}

private func found(_ measure: RelevanceMeasure, store: Store, questions: [Question], page: (String) -> String)
    async throws -> [[Found]]
{
    let retriever = Retriever(store: store, configuration: RetrievalConfiguration(relevance: measure, cutoff: 0))
    var lists: [[Found]] = []
    for question in questions {
        let found = try await retriever.search(question.question, context: question.context, limit: 8)
        lists.append(found.map {
            let document = page($0.chunk.documentPath)
            return Found(right: question.pages.contains(document), document: document, bm25: $0.bm25 ?? 0,
                         shown: Double($0.relevance))
        })
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

private func percent(_ part: Int, of whole: Int) -> String { "\(fixed(Double(part) / Double(max(1, whole)) * 100, 0)) %" }

func relevanceFigure(store: Store, questions: [Question], page: (String) -> String, cutoff: Double) async throws {
    let quarry = try await found(RetrievalConfiguration().relevance, store: store, questions: questions, page: page)
    let plain = try await found(.coverage, store: store, questions: questions, page: page)
    let weighted = try await found(.weightedCoverage, store: store, questions: questions, page: page)
    func figures(_ lists: [[Found]], _ figure: (Found, [Found]) -> Double) -> [[Labelled]] {
        lists.map { list in list.map { Labelled(figure: figure($0, list), right: $0.right) } }
    }
    let shown = figures(quarry) { item, _ in item.shown }
    let candidates: [(String, [[Labelled]])] = [
        ("coverage and agreement (Quarry's)", shown),
        ("coverage (Quarry's before)", figures(plain) { item, _ in item.shown }),
        ("weighted coverage", figures(weighted) { item, _ in item.shown }),
        ("agreement alone", figures(plain) { item, list in
            (Double(list.filter { $0.document == item.document }.count) / Double(list.count)).squareRoot() * 100
        }),
        ("BM25 / the list's best BM25", figures(plain) { item, list in
            let best = list.map(\.bm25).max() ?? 0
            return best > 0 ? item.bm25 / best * 100 : 0
        }),
    ]
    line("relevance figure, first 8 passages", "ROC AUC", "within a list", "mean %: right / wrong")
    for (name, lists) in candidates {
        let (pooled, within) = areaUnderCurve(lists)
        let all = lists.flatMap { $0 }
        func mean(_ values: [Double]) -> String {
            values.isEmpty ? "n/a" : fixed(values.reduce(0, +) / Double(values.count), 1)
        }
        line("  \(name)", fixed(pooled, 3), fixed(within, 3),
             "\(mean(all.filter(\.right).map(\.figure))) / \(mean(all.filter { !$0.right }.map(\.figure)))")
    }

    // What a figure says: how often a passage showing it was from a right page.
    let all = shown.flatMap { $0 }
    line("  Quarry's figure, band by band", "passages", "from a right page")
    for (low, high) in [(0.0, 40.0), (40, 50), (50, 60), (60, 70), (70, 80), (80, 101)] {
        let band = all.filter { $0.figure >= low && $0.figure < high }
        line("    \(fixed(low, 0))–\(fixed(min(high, 100), 0)) %", "\(band.count)",
             band.isEmpty ? "n/a" : percent(band.filter(\.right).count, of: band.count))
    }
    line("    all", "\(all.count)", percent(all.filter(\.right).count, of: all.count))

    // Where the answering page's first passage sits among the 8 an answer gets, in the search's order and in the
    // figure's, and the passage-level MRR of each.
    func placement(_ lists: [[Labelled]]) -> String {
        var top3 = 0, rest = 0, reciprocal = 0.0
        for list in lists {
            guard let rank = list.firstIndex(where: \.right) else { continue }
            if rank < 3 { top3 += 1 } else { rest += 1 }
            reciprocal += 1 / Double(rank + 1)
        }
        let asked = Double(lists.count)
        return "\(fixed(Double(top3) / asked, 3)) / \(fixed(Double(rest) / asked, 3)) / "
            + "\(fixed(Double(lists.count - top3 - rest) / asked, 3)), MRR \(fixed(reciprocal / asked, 3))"
    }
    line("  answering page among the 8: ranks 1-3 / 4-8 / none", "")
    line("    in the search's order", placement(candidates[1].1))
    line("    in the figure's order (Quarry's)", placement(shown))
    let kept = shown.map { list in list.filter { $0.figure >= (list.first?.figure ?? 0) * cutoff } }
    line("    after the cut-off at \(fixed(cutoff * 100, 0)) % of the best", placement(kept))

    // A cut-off at a share of the best passage's figure: what it would drop of each kind, and the questions whose
    // every right passage it would drop.
    let wrongTotal = all.filter { !$0.right }.count, rightTotal = all.filter(\.right).count
    line("  cut-off at a share of the best", "wrong dropped", "right dropped", "questions losing their answer")
    for share in [0.5, 0.6, 0.65, 0.7, 0.8] {
        var wrongDropped = 0, rightDropped = 0, lost = 0
        for list in shown {
            let floor = (list.first?.figure ?? 0) * share
            let dropped = list.filter { $0.figure < floor }
            wrongDropped += dropped.filter { !$0.right }.count
            rightDropped += dropped.filter(\.right).count
            if list.contains(where: \.right) && !list.contains(where: { $0.right && $0.figure >= floor }) { lost += 1 }
        }
        let marker = abs(share - cutoff) < 0.001 ? " (Quarry's)" : ""
        line("    \(fixed(share * 100, 0)) %\(marker)", percent(wrongDropped, of: wrongTotal),
             percent(rightDropped, of: rightTotal), "\(lost)")
    }
}
