// Memory for the block parses of documents being ingested: cmark-gfm allocates each node, each line buffer and each
// inline one by one and frees them one by one when the tree goes, which is about a sixth of what reading a Markdown
// document costs with the C library's allocator. A block parse's tree lives only as long as `CMark.topLevelBlocks`
// holds the parse lock, so its memory can come from blocks handed out front to back and taken back all at once.
//
// Only `CMark.topLevelBlocks` uses it, inside `CMark.withArena`, which holds the parse lock (what makes the state
// below one thread's at a time) and resets the arena after. Parses for rendering keep cmark-gfm's own allocator,
// as their trees outlive the lock.

internal import Glibc

enum ParseArena {
    /// The size of each block the arena hands memory out of.
    static let blockBytes = 256 << 10
    /// Allocations larger than this go to the C library's allocator (and back to it when freed): a long paragraph's
    /// or code block's text grows past it, and a block should not be half wasted.
    static let largestInBlock = blockBytes / 4
    /// Blocks kept between parses; those a large document needed beyond these are freed after it.
    static let keptBlocks = 1

    /// Every allocation is preceded by a header this long (which keeps the payload 16-byte aligned): its size, and
    /// whether it came from a block or from the C library.
    private static let headerBytes = 16
    private static let fromBlock = 1
    private static let fromLibrary = 2

    /// The blocks, in order; each starts with the address of the next (nil for the last).
    nonisolated(unsafe) private static var first: UnsafeMutableRawPointer?
    /// The block in use, where its next allocation goes, and its end.
    nonisolated(unsafe) private static var current: UnsafeMutableRawPointer?
    nonisolated(unsafe) private static var top: UnsafeMutableRawPointer?
    nonisolated(unsafe) private static var end: UnsafeMutableRawPointer?
    /// The payload of the allocation made last from a block: growing it or freeing it needs no copy.
    nonisolated(unsafe) private static var last: UnsafeMutableRawPointer?

    /// Takes back everything handed out since the last reset, keeping `keptBlocks` blocks for the next parse.
    /// Call only once nothing from the arena is in use (the tree and the parser are freed).
    static func reset() {
        var block = first
        var index = 0
        while let this = block {
            let next = this.load(as: UnsafeMutableRawPointer?.self)
            index += 1
            if index == keptBlocks { this.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self) }
            if index > keptBlocks { Glibc.free(this) }
            block = next
        }
        current = nil
        top = nil
        end = nil
        last = nil
    }

    /// `count` items of `size` bytes, zeroed (cmark-gfm's `calloc`).
    static func zeroed(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, let payload = allocate(bytes) else { return nil }
        payload.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return payload
    }

    /// Resizes `payload` to `bytes` (cmark-gfm's `realloc`): in place when it was the block's last allocation and
    /// still fits, otherwise by a copy (the old one stays in its block until the reset).
    static func resize(_ payload: UnsafeMutableRawPointer?, _ bytes: Int) -> UnsafeMutableRawPointer? {
        guard let payload else { return allocate(bytes) }
        let header = payload - headerBytes
        let (size, source) = (header.load(as: Int.self), header.load(fromByteOffset: 8, as: Int.self))
        if source == fromLibrary, bytes > largestInBlock {
            guard let moved = Glibc.realloc(header, bytes + headerBytes) else { return nil }
            moved.storeBytes(of: bytes, as: Int.self)
            return moved + headerBytes
        }
        if payload == last, let end, payload + rounded(bytes) <= end {
            header.storeBytes(of: bytes, as: Int.self)
            top = payload + rounded(bytes)
            return payload
        }
        guard let moved = allocate(bytes) else { return nil }
        moved.copyMemory(from: payload, byteCount: min(size, bytes))
        release(payload)
        return moved
    }

    /// Frees `payload` (cmark-gfm's `free`): back to the C library if it came from there, back to its block if it
    /// was the block's last allocation, otherwise at the reset.
    static func release(_ payload: UnsafeMutableRawPointer?) {
        guard let payload else { return }
        let header = payload - headerBytes
        if header.load(fromByteOffset: 8, as: Int.self) == fromLibrary {
            Glibc.free(header)
        } else if payload == last {
            top = header
            last = nil
        }
    }

    /// How many blocks the arena holds now.
    static var blockCount: Int {
        var count = 0
        var block = first
        while let this = block {
            count += 1
            block = this.load(as: UnsafeMutableRawPointer?.self)
        }
        return count
    }

    private static func rounded(_ bytes: Int) -> Int { (bytes + 15) & ~15 }

    private static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= 0 else { return nil }
        if bytes > largestInBlock {
            guard let header = Glibc.malloc(bytes + headerBytes) else { return nil }
            header.storeBytes(of: bytes, as: Int.self)
            header.storeBytes(of: fromLibrary, toByteOffset: 8, as: Int.self)
            return header + headerBytes
        }
        let needed = headerBytes + rounded(bytes)
        if top == nil || top! + needed > end! {
            guard advance() else { return nil }
        }
        let header = top!
        header.storeBytes(of: bytes, as: Int.self)
        header.storeBytes(of: fromBlock, toByteOffset: 8, as: Int.self)
        top = header + needed
        last = header + headerBytes
        return last
    }

    /// Moves to the next block, kept from an earlier parse or new.
    private static func advance() -> Bool {
        var next = current.map { $0.load(as: UnsafeMutableRawPointer?.self) } ?? first
        if next == nil {
            guard let block = Glibc.malloc(blockBytes) else { return false }
            block.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
            if let current { current.storeBytes(of: block, as: UnsafeMutableRawPointer?.self) } else { first = block }
            next = block
        }
        current = next
        // The first 16 bytes hold the link to the next block (and keep payloads aligned).
        top = next! + 16
        end = next! + blockBytes
        last = nil
        return true
    }
}
