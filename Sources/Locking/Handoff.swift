// Handing work from one thread to another with a bound on what waits between them (a pipeline's stage boundary).
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A first-in, first-out queue between threads whose waiting items are bounded by a total cost (bytes, say):
/// `put` blocks while the queue is over its budget, `take` blocks while it is empty. `finish` ends it: takers get
/// nil once it is drained, and putters stop waiting (their items are dropped). One lock and two conditions.
public final class Handoff<Element>: @unchecked Sendable {
    // Guarded by `mutex`.
    private var items: [(element: Element, cost: Int)] = []
    private var head = 0
    private var cost = 0
    private var finished = false
    private let budget: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// A queue that holds items costing at most `budget` together (one item is always let in, whatever its cost).
    public init(budget: Int) {
        self.budget = budget
        pthread_mutex_init(mutex, nil)
        MonotonicWaits.initialise(notEmpty)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
    }

    /// Adds `element`, waiting while the queue holds more than its budget. Returns false (dropping it) once the
    /// queue is finished.
    @discardableResult
    public func put(_ element: Element, cost: Int) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !finished, head < items.count, self.cost + cost > budget { pthread_cond_wait(notFull, mutex) }
        guard !finished else { return false }
        items.append((element, cost))
        self.cost += cost
        pthread_cond_signal(notEmpty)
        return true
    }

    /// The next element, waiting while the queue is empty; nil once it is finished and drained.
    public func take() -> Element? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == items.count, !finished { pthread_cond_wait(notEmpty, mutex) }
        return head < items.count ? removeFirst() : nil
    }

    /// What `take(waitingAtMost:)` found.
    public enum Taken {
        case element(Element)
        /// Nothing came in time.
        case timedOut
        /// The queue is finished and drained.
        case finished
    }

    /// The next element, waiting while the queue is empty but at most `timeout`.
    public func take(waitingAtMost timeout: Duration) -> Taken {
        var deadline = MonotonicWaits.deadline(after: timeout)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == items.count, !finished {
            if pthread_cond_timedwait(notEmpty, mutex, &deadline) == ETIMEDOUT { break }
        }
        if head < items.count { return .element(removeFirst()) }
        return finished ? .finished : .timedOut
    }

    /// Removes and returns the first element, which there must be; call holding `mutex`.
    private func removeFirst() -> Element {
        let (element, itemCost) = items[head]
        head += 1
        cost -= itemCost
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        pthread_cond_broadcast(notFull)
        return element
    }

    /// Whether nothing is waiting now (more may still come).
    public var isEmpty: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return head == items.count
    }

    /// Ends the queue: no more puts; takers drain what is there, then get nil.
    public func finish() {
        pthread_mutex_lock(mutex)
        finished = true
        pthread_cond_broadcast(notEmpty)
        pthread_cond_broadcast(notFull)
        pthread_mutex_unlock(mutex)
    }
}
