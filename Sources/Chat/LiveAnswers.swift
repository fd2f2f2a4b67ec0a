// The answers in progress, as the page has been sent them: what a snapshot shows for a message still streaming.
// Changed only inside `Broadcaster.publish(to:_:)`, under the lock that orders a stream's publishes, and read by
// snapshots under that same lock, so a page that subscribes sees exactly the state the next update applies to.
//
// The one owner of what the page has: the blocks sent (PageAnswer diffs its next render against them, inside the
// publish that sends the difference) and the thinking shown. What arrived from the model is the job's
// (`Progress` in AnswerJob, which the database's checkpoints copy). Both keep the thinking because they differ: the
// reasoning here may lag the job's by one paced send (steps go at once, so on steps the two agree), and a snapshot
// must show what was sent, the state the next update applies to, not what arrived.
//
// With several hosts, each change is also recorded where the other hosts' snapshots read it (`SharedAnswers`, in
// Redis), in the same publish: a copy for them, written by this owner only.
internal import Contracts
internal import Locking

/// What the page has of each answer in progress.
final class LiveAnswers: Sendable {
    struct Answer: Sendable, Equatable {
        var thread: Int64
        var thinking = Thinking()
        /// The rendered blocks of the text as last sent.
        var blocks: [String] = []
    }

    private let answers = Locked<[Int64: Answer]>([:])
    /// Where other hosts read answers in progress; nil: one host.
    let shared: (any SharedAnswers)?

    init(shared: (any SharedAnswers)? = nil) { self.shared = shared }

    /// The answer as this host's pages have it.
    subscript(id: Int64) -> Answer? { answers.withLock { $0[id] } }

    /// An answer another host runs, as that host recorded it; nil with one host.
    func elsewhere(_ id: Int64) -> Answer? { shared?.answer(id).map(Answer.init) }

    func start(_ id: Int64, thread: Int64, thinking: Thinking = Thinking()) {
        let answer = Answer(thread: thread, thinking: thinking)
        answers.withLock { $0[id] = answer }
        shared?.record(id, answer.shared, previous: nil)
    }

    /// Changes an answer in progress and returns what `change` returns; nil (and no change) if it is not one.
    @discardableResult
    func update<Result>(_ id: Int64, _ change: (inout Answer) -> Result) -> Result? {
        let changed = answers.withLock { all -> (Result, before: Answer, after: Answer)? in
            guard var answer = all[id] else { return nil }
            let before = answer
            let result = change(&answer)
            all[id] = answer
            return (result, before, answer)
        }
        guard let changed else { return nil }
        if let shared, changed.after != changed.before {
            shared.record(id, changed.after.shared, previous: changed.before.shared)
        }
        return changed.0
    }

    /// Records an answer in progress whole again where other hosts read it (that copy may be gone: Redis restarted).
    /// Inside the publish of its stream, like every change.
    func recordAgain(_ id: Int64) {
        guard let shared, let answer = self[id] else { return }
        shared.record(id, answer.shared, previous: nil)
    }

    /// Ends an answer in progress; returns what the page had of it.
    @discardableResult
    func end(_ id: Int64) -> Answer? {
        let answer = answers.withLock { $0.removeValue(forKey: id) }
        if answer != nil { shared?.remove(id) }
        return answer
    }

    /// The answers in progress here.
    var answerIDs: [Int64] { answers.withLock { Array($0.keys) } }
}

extension LiveAnswers.Answer {
    init(_ shared: SharedAnswer) {
        self.init(thread: shared.thread, thinking: Thinking(steps: shared.steps, reasoning: shared.reasoning),
                  blocks: shared.blocks)
    }

    var shared: SharedAnswer {
        SharedAnswer(thread: thread, steps: thinking.steps, reasoning: thinking.reasoning, blocks: blocks)
    }
}
