// Follow-up questions (issue 12): two-turn conversations on the corpus whose second question only makes sense
// after the first ("And how do I write one back with indentation?" after a question about reading JSON). The second
// turns' document-level recall@8 and MRR are printed searched alone and with the first question as conversation,
// at several weights of the conversation's words; and, so that a conversation never hurts a question that stands
// alone, the labelled questions each searched after an unrelated earlier one.
import JSON
import Retrieval
import Store

/// `indexed`: the pages in the store; conversations answered by none of them (a run over a selection of the corpus)
/// are left out, since no search could find their page, and fewer than 10 left are not judged.
func followUps(store: Store, path: String, questions: [Question], indexed: Set<String>,
               page: @escaping (String) -> String, quick: Bool) async throws
{
    guard let pairs = readJSON(path)?.array else {
        print("cannot read \(path)")
        return
    }
    let seconds = pairs.compactMap { item -> Question? in
        guard let first = item["first"]?.string, let second = item["second"]?.string, let page = item["page"]?.string else {
            return nil
        }
        return Question(question: second, pages: Set([page] + (item["alternatives"]?.array?.compactMap(\.string) ?? [])),
                        context: [first])
    }.filter { !$0.pages.isDisjoint(with: indexed) }
    guard !seconds.isEmpty else {
        line("follow-ups: none of their pages is in this run's selection", "")
        return
    }
    let alone = seconds.map { Question(question: $0.question, pages: $0.pages) }
    let standard = RetrievalConfiguration().contextWeight
    func run(_ questions: [Question], weight: Double) async throws -> Quality {
        try await evaluate(Retriever(store: store, configuration: RetrievalConfiguration(contextWeight: weight)),
                           questions, page: page, repeat: 1)
    }
    let baseline = try await run(alone, weight: standard)
    line("follow-ups (\(seconds.count) two-turn conversations): second turns", "recall@8 / MRR", "searched alone", "")
    for weight in [0.3, 0.5, 1.0] {
        let withConversation = try await run(seconds, weight: weight)
        let marker = abs(weight - standard) < 0.001 ? " (Quarry's)" : ""
        line("  with the first question, weight \(fixed(weight, 1))\(marker)",
             "\(fixed(withConversation.recall, 3)) / \(fixed(withConversation.mrr, 3))",
             "\(fixed(baseline.recall, 3)) / \(fixed(baseline.mrr, 3))",
             abs(weight - standard) < 0.001 ? "> alone" : "",
             abs(weight - standard) < 0.001 ? verdict(withConversation.recall > baseline.recall, judged: !quick && seconds.count >= 10) : "")
    }
    // Questions that stand alone, each after an unrelated one (the question 7 places on): what the conversation
    // costs them.
    let unrelated = questions.enumerated().map { index, question in
        Question(question: question.question, pages: question.pages,
                 context: [questions[(index + 7) % questions.count].question])
    }
    let standing = try await run(questions, weight: standard)
    line("standalone questions after an unrelated one", "recall@8 / MRR", "searched alone", "")
    for weight in [0.3, 0.5, 1.0] {
        let disturbed = try await run(unrelated, weight: weight)
        let marker = abs(weight - standard) < 0.001 ? " (Quarry's)" : ""
        line("  weight \(fixed(weight, 1))\(marker)", "\(fixed(disturbed.recall, 3)) / \(fixed(disturbed.mrr, 3))",
             "\(fixed(standing.recall, 3)) / \(fixed(standing.mrr, 3))")
    }
}
