// The answers in progress, as the page has been sent them: what a snapshot shows for a message still streaming.
// Changed only inside `Broadcaster.publish(to:_:)`, under the lock that orders a stream's publishes, and read by
// snapshots under that same lock, so a page that subscribes sees exactly the state the next update applies to.
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

    func update(_ id: Int64, _ change: (inout Answer) -> Void) {
        answers.withLock { all in
            guard var answer = all[id] else { return }
            change(&answer)
            all[id] = answer
        }
    }

    func end(_ id: Int64) { answers.withLock { $0[id] = nil } }

    /// The answers in progress.
    var answerIDs: [Int64] { answers.withLock { Array($0.keys) } }
}
