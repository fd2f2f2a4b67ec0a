// Whether a question (or a retry) is taken, decided on the service thread before anything is saved: a place among
// the answers (per session, per address, in all: AnswerSlots), room under the server's ceiling on model requests,
// and the questions a minute of the session and of the address (QuestionLimiter). A refusal costs nothing
// afterwards and tells the person what to do; only a question that passes every check counts against the rates.
// With several hosts the answers held and the questions a minute are counted across them too (`SharedAnswerHolds`,
// `SharedRateLimits`, in Redis): network round trips, so those checks are made in the question's task
// (`admittedAcrossHosts`), never on the service thread.
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
        if let (index, wait) = limiter.admit(rateLimits(session, client).map { QuestionLimiter.Limit(key: $0.key, perMinute: $0.perMinute) }) {
            slots.release(ticket)
            refuseRate(client, index: index, wait: wait, acrossHosts: false)
            return nil
        }
        return ticket
    }

    /// Whether the question passes the counts across hosts (true with one host): its session's and address's share of
    /// answers held, then their questions a minute. Called in the question's task; on a refusal the caller gives its
    /// ticket back (and with it the place held across hosts).
    func admittedAcrossHosts(_ session: String, _ client: SocketClient, _ ticket: AnswerSlots.Ticket) -> Bool {
        if let refusal = slots.holdAcrossHosts(ticket) {
            metrics?.refused(QuestionRefusal(refusal))
            refuse(client, Self.message(for: refusal, words: Words(client.language)),
                   reason: "refused a question: \(refusal) holds its share of answers across hosts")
            return false
        }
        guard let sharedRates else { return true }
        let limits = rateLimits(session, client)
        guard let (index, wait) = sharedRates.admit(limits, window: QuestionLimiter.minute) else { return true }
        // Refused: it counts nowhere, this host's count included.
        limiter.withdrawLatest(limits.map(\.key))
        refuseRate(client, index: index, wait: wait, acrossHosts: true)
        return false
    }

    /// The questions a minute a question counts against: its session's, then its address's.
    private func rateLimits(_ session: String, _ client: SocketClient) -> [(key: String, perMinute: Int)] {
        [("session:" + session, configuration.questionsPerMinute),
         ("peer:" + client.peer, configuration.questionsPerMinutePerPeer)]
    }

    /// Tells the person that the session's (`index` 0) or the address's questions a minute are used up, for `wait`.
    private func refuseRate(_ client: SocketClient, index: Int, wait: Duration, acrossHosts: Bool) {
        let words = Words(client.language)
        metrics?.refused(index == 0 ? .sessionRate : .peerRate)
        let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        let message = index == 0
            ? words(.noticePerMinute, ("count", "\(configuration.questionsPerMinute)"), ("seconds", "\(seconds)"))
            : words(.noticePerMinutePeer, ("count", "\(configuration.questionsPerMinutePerPeer)"), ("seconds", "\(seconds)"))
        let whose = index == 0 ? "the session's" : "the address's"
        refuse(client, message, reason: "refused a question: \(whose) questions a minute" + (acrossHosts ? " across hosts" : ""))
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
