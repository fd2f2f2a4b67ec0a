// The cap on answers generated at once. A small machine (or a local model) serves a few answers well and many
// badly; the rest wait their turn, first come first served, and the page shows that they are waiting.

/// Counts the answers running and queues the rest.
actor AnswerSlots {
    private let capacity: Int
    private var running = 0
    private var waiting: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Takes a slot if one is free, without waiting.
    func tryAcquire() -> Bool {
        guard running < capacity else { return false }
        running += 1
        return true
    }

    /// Waits for a slot, in turn. Returns false (holding no slot) if the task was cancelled while waiting.
    func acquire() async -> Bool {
        if tryAcquire() { return true }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiting.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.leave(id) }
        }
    }

    /// Gives a slot back: to the first in line, if any.
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().continuation.resume(returning: true)
        }
    }

    private func leave(_ id: UInt64) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(returning: false)
    }
}
