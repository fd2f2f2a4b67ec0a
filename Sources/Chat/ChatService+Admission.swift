// Whether a question (or a retry) is taken, decided on the service thread before anything is saved: a place among
// the answers (per session, per address, in all: AnswerSlots), room under the server's ceiling on model requests,
// and the questions a minute of the session and of the address (QuestionLimiter). A refusal costs nothing
// afterwards and tells the person what to do; only a question that passes every check counts against the rates.
internal import Contracts
internal import LLM
internal import Logging
internal import TurboStream
internal import Words

extension ChatService {
    /// A ticket for the answer of a question `client` asks, or nil when it was refused (and the page told why).
    func admitted(_ session: String, _ client: SocketClient) -> AnswerSlots.Ticket? {
        let words = Words(client.language)
        let ticket: AnswerSlots.Ticket
        switch slots.reserve(session: session, peer: client.peer) {
        case .success(let reserved):
            ticket = reserved
        case .failure(let refusal):
            metrics?.refused(QuestionRefusal(refusal))
            refuse(client, Self.message(for: refusal, words: words), reason: "refused a question: \(refusal) holds its share of answers")
            return nil
        }
        if let wait = answerer.modelBusyFor {
            slots.release(ticket)
            metrics?.refused(.modelCeiling)
            refuse(client, words.message(for: LLMError.ceilingReached(retryAfter: wait)),
                   reason: "refused a question: the ceiling on model requests a minute is reached")
            return nil
        }
        let limits = [
            QuestionLimiter.Limit(key: "session:" + session, perMinute: configuration.questionsPerMinute),
            QuestionLimiter.Limit(key: "peer:" + client.peer, perMinute: configuration.questionsPerMinutePerPeer),
        ]
        if let (index, wait) = limiter.admit(limits) {
            slots.release(ticket)
            metrics?.refused(index == 0 ? .sessionRate : .peerRate)
            let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
            let message = index == 0
                ? words(.noticePerMinute, ("count", "\(configuration.questionsPerMinute)"), ("seconds", "\(seconds)"))
                : words(.noticePerMinutePeer, ("count", "\(configuration.questionsPerMinutePerPeer)"), ("seconds", "\(seconds)"))
            refuse(client, message, reason: index == 0 ? "refused a question: the session's questions a minute"
                                                       : "refused a question: the address's questions a minute")
            return nil
        }
        return ticket
    }

    /// What the person is told when there is no place for their answer.
    static func message(for refusal: AnswerSlots.Refusal, words: Words = .english) -> String {
        switch refusal {
        case .session: words[.noticeBusySession]
        case .peer: words[.noticeBusyPeer]
        case .full: words[.noticeBusy]
        }
    }

    private func refuse(_ client: SocketClient, _ message: String, reason: String) {
        log.warning(reason, ["peer": "\(client.peer)"])
        notify(client, .tooManyQuestions, message)
    }
}
