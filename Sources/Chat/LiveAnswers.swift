// The answers in progress, as the page has been sent them: what a snapshot shows for a message still streaming.
// Changed only inside `Broadcaster.publish(to:_:)`, under the lock that orders a stream's publishes, and read by
// snapshots under that same lock, so a page that subscribes sees exactly the state the next update applies to.
//
// The one owner of what the page has: the blocks sent (PageAnswer diffs its next render against them, inside the
// publish that sends the difference) and the thinking shown. What arrived from the model is the job's
// (`Progress` in AnswerJob, which the database's checkpoints copy). Both keep the thinking because they differ: the
// reasoning here may lag the job's by one paced send (steps go at once, so on steps the two agree), and a snapshot
// must show what was sent, the state the next update applies to, not what arrived.
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

    subscript(id: Int64) -> Answer? { answers.withLock { $0[id] } }

    func start(_ id: Int64, thread: Int64, thinking: Thinking = Thinking()) {
        answers.withLock { $0[id] = Answer(thread: thread, thinking: thinking) }
    }

    /// Changes an answer in progress and returns what `change` returns; nil (and no change) if it is not one.
    @discardableResult
    func update<Result>(_ id: Int64, _ change: (inout Answer) -> Result) -> Result? {
        answers.withLock { all in
            guard var answer = all[id] else { return nil }
            let result = change(&answer)
            all[id] = answer
            return result
        }
    }

    /// Ends an answer in progress; returns what the page had of it.
    @discardableResult
    func end(_ id: Int64) -> Answer? { answers.withLock { $0.removeValue(forKey: id) } }

    /// The answers in progress.
    var answerIDs: [Int64] { answers.withLock { Array($0.keys) } }
}
