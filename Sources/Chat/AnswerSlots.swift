// The cap on answers generated at once, shared fairly. A small machine (or a local model) serves a few answers well
// and many badly; the rest wait their turn and the page says so. One first-come queue let one browser asking ten
// questions keep everyone else waiting, so:
//
// - A question takes a ticket before anything is saved (`reserve`, on the service thread, synchronously). A session
//   holds at most one running answer and `waitingPerSession` waiting ones; an address (many sessions cost nothing)
//   at most `perPeer` in all; the whole server at most `capacity + waiting`. A question past any of these is refused
//   at once, with nothing saved, and the person is told why.
// - A free slot goes round-robin between the sessions that have an answer waiting: to the one served longest ago
//   (a session not served yet first; ties in the order they began waiting), so a session whose answer has just
//   run goes behind everyone else waiting. A session never runs two answers at once.
// - One address runs at most half the slots (at least one): many fresh sessions from one machine cannot fill every
//   slot, so a person at another machine starts at once instead of waiting out someone else's answer.
// - With several hosts, a ticket also holds a place across them (`holdAcrossHosts`, in the question's task, never on
//   the service thread): the session's and the address's shares are then the site's. The place goes with the ticket.
internal import Contracts
internal import Locking

/// Tickets for answers, and the slots they run in.
final class AnswerSlots: Sendable {
    /// How many answers may run, wait, and be held by one session or address.
    struct Limits: Sendable {
        /// Answers generated at once.
        var capacity: Int
        /// Answers waiting for a slot, over the whole server.
        var waiting: Int
        /// Answers one session may have waiting (besides its one running).
        var waitingPerSession: Int
        /// Answers (running or waiting) one peer address may hold, over all its sessions.
        var perPeer: Int

        /// Answers one address may run at once: half the slots, at least one.
        var runningPerPeer: Int { max(1, capacity / 2) }
    }

    /// Why a ticket was refused.
    enum Refusal: Error, Equatable, Sendable {
        /// The session has its running and waiting answers already.
        case session
        /// The address holds as many answers as it may.
        case peer
        /// The server's queue is full.
        case full
    }

    /// A reserved place for one answer; give it back with `release` whatever happens.
    struct Ticket: Hashable, Sendable {
        let id: UInt64
    }

    private struct Holder {
        let session: String
        let peer: String
        var running = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private struct State {
        var holders: [UInt64: Holder] = [:]
        /// Waiting tickets per session, in the order they asked.
        var queues: [String: [UInt64]] = [:]
        /// Sessions with a waiting ticket, in the order they began waiting.
        var turn: [String] = []
        /// When each session holding tickets last started an answer (a count of starts, not a time).
        var served: [String: UInt64] = [:]
        var starts: UInt64 = 0
        var running = 0
        var nextID: UInt64 = 0
        /// The keys each ticket holds a place under across hosts.
        var heldAcross: [UInt64: [String]] = [:]

        func count(where included: (Holder) -> Bool) -> Int { holders.values.reduce(0) { $0 + (included($1) ? 1 : 0) } }
    }

    let limits: Limits
    private let state = Locked(State())
    /// Places held across hosts; nil: one host.
    private let shared: (any SharedAnswerHolds)?
    /// How long a place held across hosts lasts if its host dies before giving it back.
    private let sharedExpiry: Duration
    /// This process's part of the tokens held across hosts (ticket numbers repeat between hosts).
    private let tokenPrefix = "\(UInt64.random(in: 1...UInt64.max)):"

    init(_ limits: Limits, shared: (any SharedAnswerHolds)? = nil, sharedExpiry: Duration = .seconds(360)) {
        self.shared = shared
        self.sharedExpiry = sharedExpiry
        var limits = limits
        limits.capacity = max(1, limits.capacity)
        limits.waiting = max(0, limits.waiting)
        limits.waitingPerSession = max(0, limits.waitingPerSession)
        limits.perPeer = max(1, limits.perPeer)
        self.limits = limits
    }

    /// A ticket for an answer of `session` from `peer`, or why there is none.
    func reserve(session: String, peer: String) -> Result<Ticket, Refusal> {
        state.withLock { state in
            if state.count(where: { $0.session == session }) >= 1 + limits.waitingPerSession { return .failure(.session) }
            if state.count(where: { $0.peer == peer }) >= limits.perPeer { return .failure(.peer) }
            if state.holders.count >= limits.capacity + limits.waiting { return .failure(.full) }
            state.nextID += 1
            state.holders[state.nextID] = Holder(session: session, peer: peer)
            return .success(Ticket(id: state.nextID))
        }
    }

    /// Gives a place held across hosts back, off the caller's thread (which may be the service thread).
    private func releaseAcrossHosts(_ ticket: Ticket, _ keys: [String]) {
        guard let shared else { return }
        let token = tokenPrefix + "\(ticket.id)"
        Task.detached { shared.release(token, keys: keys) }
    }

    /// Starts the ticket's answer if a slot is free and its session runs nothing, without waiting.
    func tryStart(_ ticket: Ticket) -> Bool {
        state.withLock { state in
            guard let holder = state.holders[ticket.id] else { return false }
            if holder.running { return true }
            guard state.running < limits.capacity, state.queues[holder.session] == nil,
                  !Self.runs(holder.session, in: state),
                  Self.running(peer: holder.peer, in: state) < limits.runningPerPeer else { return false }
            state.holders[ticket.id]?.running = true
            state.running += 1
            state.starts += 1
            state.served[holder.session] = state.starts
            return true
        }
    }

    /// Waits for the ticket's turn. False (holding no slot) when the task was cancelled while waiting or the ticket
    /// was released.
    func start(_ ticket: Ticket) async -> Bool {
        if tryStart(ticket) { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (refused, started) = state.withLock { state -> (Bool, [CheckedContinuation<Bool, Never>]) in
                    guard let holder = state.holders[ticket.id], !Task.isCancelled else { return (true, []) }
                    state.holders[ticket.id]?.waiter = continuation
                    if state.queues[holder.session] == nil { state.turn.append(holder.session) }
                    state.queues[holder.session, default: []].append(ticket.id)
                    return (false, Self.dispatch(&state, limits: limits))
                }
                if refused { continuation.resume(returning: false) }
                for waiter in started { waiter.resume(returning: true) }
            }
        } onCancel: {
            self.release(ticket, keepingTicket: true)
        }
    }

    /// Gives back the ticket (and its slot, if it was running): the next session in turn starts.
    func release(_ ticket: Ticket) { release(ticket, keepingTicket: false) }

    /// Holds the ticket's place across hosts too; the refusal (`.session` or `.peer`) when the site's share is taken,
    /// nil when it is held (or with one host). Blocking (a round trip to Redis): call it in the question's task.
    func holdAcrossHosts(_ ticket: Ticket) -> Refusal? {
        guard let shared, let holder = state.withLock({ $0.holders[ticket.id] }) else { return nil }
        let limits = [("session:" + holder.session, 1 + self.limits.waitingPerSession),
                      ("peer:" + holder.peer, self.limits.perPeer)]
        if let index = shared.hold(tokenPrefix + "\(ticket.id)", limits, expiry: sharedExpiry) {
            return index == 0 ? .session : .peer
        }
        let kept = state.withLock { state -> Bool in
            guard state.holders[ticket.id] != nil else { return false }
            state.heldAcross[ticket.id] = limits.map(\.0)
            return true
        }
        // Released meanwhile: the place goes at once.
        if !kept { shared.release(tokenPrefix + "\(ticket.id)", keys: limits.map(\.0)) }
        return nil
    }

    private func release(_ ticket: Ticket, keepingTicket: Bool) {
        let (refused, started) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, [CheckedContinuation<Bool, Never>]) in
            guard let holder = state.holders[ticket.id] else { return (nil, []) }
            if keepingTicket && holder.running { return (nil, []) }
            if holder.running { state.running -= 1 }
            Self.leaveQueue(ticket.id, of: holder.session, in: &state)
            if keepingTicket {
                state.holders[ticket.id]?.waiter = nil
            } else {
                state.holders[ticket.id] = nil
                if let keys = state.heldAcross.removeValue(forKey: ticket.id) { releaseAcrossHosts(ticket, keys) }
                if !state.holders.values.contains(where: { $0.session == holder.session }) {
                    state.served[holder.session] = nil
                }
            }
            return (holder.waiter, Self.dispatch(&state, limits: limits))
        }
        refused?.resume(returning: false)
        for waiter in started { waiter.resume(returning: true) }
    }

    /// Answers running now.
    var running: Int { state.withLock { $0.running } }

    /// Tickets held now: answers taken and not yet ended.
    var held: Int { state.withLock { $0.holders.count } }

    /// Answers waiting for a slot now.
    var waitingCount: Int { state.withLock { $0.queues.values.reduce(0) { $0 + $1.count } } }

    // MARK: Under the lock

    private static func runs(_ session: String, in state: State) -> Bool {
        state.holders.values.contains { $0.session == session && $0.running }
    }

    private static func running(peer: String, in state: State) -> Int {
        state.count { $0.peer == peer && $0.running }
    }

    private static func leaveQueue(_ id: UInt64, of session: String, in state: inout State) {
        guard var queue = state.queues[session], let index = queue.firstIndex(of: id) else { return }
        queue.remove(at: index)
        if queue.isEmpty {
            state.queues[session] = nil
            state.turn.removeAll { $0 == session }
        } else {
            state.queues[session] = queue
        }
    }

    /// Fills free slots round-robin: of the waiting sessions that run nothing (and whose address runs fewer than
    /// its share), the one served longest ago starts its oldest waiting answer. Returns the waiters to resume (outside the lock).
    private static func dispatch(_ state: inout State, limits: Limits) -> [CheckedContinuation<Bool, Never>] {
        var started: [CheckedContinuation<Bool, Never>] = []
        while state.running < limits.capacity {
            var next: (position: Int, served: UInt64)?
            for (position, session) in state.turn.enumerated() where !runs(session, in: state) {
                guard let first = state.queues[session]?.first, let peer = state.holders[first]?.peer,
                      running(peer: peer, in: state) < limits.runningPerPeer else { continue }
                let served = state.served[session] ?? 0
                if next == nil || served < next!.served { next = (position, served) }
            }
            guard let position = next?.position else { break }
            let session = state.turn.remove(at: position)
            var queue = state.queues[session] ?? []
            let id = queue.removeFirst()
            if queue.isEmpty {
                state.queues[session] = nil
            } else {
                state.queues[session] = queue
                state.turn.append(session)
            }
            state.holders[id]?.running = true
            state.running += 1
            state.starts += 1
            state.served[session] = state.starts
            if let waiter = state.holders[id]?.waiter {
                state.holders[id]?.waiter = nil
                started.append(waiter)
            }
        }
        return started
    }
}
