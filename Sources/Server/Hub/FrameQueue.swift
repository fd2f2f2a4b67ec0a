// A socket's outbox: frames waiting to be written, bounded by count and bytes.

/// A FIFO of frames with running totals. Service thread only.
struct FrameQueue {
    private var frames: [[UInt8]] = []
    private var head = 0
    /// Bytes waiting.
    private(set) var bytes = 0

    /// Frames waiting.
    var count: Int { frames.count - head }
    var isEmpty: Bool { head == frames.count }

    mutating func append(_ frame: [UInt8]) {
        frames.append(frame)
        bytes += frame.count
    }

    /// Removes and passes to `body` the oldest frames, as many as fit in `limit` bytes together (at least one).
    mutating func popCoalescing(upTo limit: Int, _ body: ([UInt8]) -> Void) -> Int {
        var taken = 0, total = 0
        while head < frames.count {
            let frame = frames[head]
            if taken > 0 && total + frame.count > limit { break }
            body(frame)
            total += frame.count
            bytes -= frame.count
            frames[head] = []
            head += 1
            taken += 1
        }
        if head == frames.count {
            frames.removeAll(keepingCapacity: frames.count <= 64)
            head = 0
        } else if head >= 64 && head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
        return total
    }

    mutating func removeAll() {
        frames = []
        head = 0
        bytes = 0
    }
}
