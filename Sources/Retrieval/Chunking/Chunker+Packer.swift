// Packing one section's blocks into chunks.
//
// Blocks glued to the next one (a definition term, a paragraph ending in ":") are joined with it first when the
// pair fits in `maximum`; when it does not, the glued block goes to a new chunk unless the current one has room for
// it and the start of the next. Each block that fits in `maximum` is one atom; a longer one is cut into atoms by the
// Splitter. Atoms are then appended greedily: an atom joins the current chunk while the chunk stays within `target`,
// or within `maximum` while the chunk is still under three fifths of `target` (so a block is not left alone in a
// small chunk); otherwise the chunk is closed and the atom starts the next one. The next chunk of the same section
// starts with the tail of the closed one (at most `overlap` scalars with its separator), cut at a sentence start, or
// failing that a line start or a word start, and taken only from prose or lists: half a code block or table would not
// render.
// A fenced Markdown code block cut across chunks is closed and reopened with its own fences in each.
//
// Invariant: a chunk's own passage (atoms, separators, fences) is at most `maximum` scalars, and its overlap prefix
// at most `overlap`; so every chunk's text is at most `maximum + overlap` scalars, and never empty.

extension Chunker {
    struct Packer {
        let target: Int
        let maximum: Int
        let overlap: Int
        private(set) var chunks: [Chunk] = []

        private var headingPath: [String] = []
        private var body: [UInt8] = []
        private var bodyScalars = 0
        /// The overlap carried from the previous chunk of this section.
        private var carry: [UInt8] = []
        /// Where the text of the last block in `body` starts, and the block's kind: the region overlap is cut from.
        private var tailStart = 0
        private var tailKind = BlockKind.code
        /// The block number and closing fence of a fenced code block left open in `body`, and the scalars it owes.
        private var openFence: (block: Int, close: [UInt8])?
        private var owed = 0
        private var blockNumber = 0
        /// The first and last page of the atoms in `body` (0 when unpaged).
        private var firstPage = 0
        private var lastPage = 0

        init(target: Int, maximum: Int, overlap: Int) {
            self.target = target
            self.maximum = maximum
            self.overlap = overlap
        }

        private static let blockSeparator: [UInt8] = [UTF8Text.newline, UTF8Text.newline]

        /// Appends the chunks of one section, all under `headingPath`.
        mutating func pack(_ blocks: [Block], headingPath: [String]) {
            guard !blocks.isEmpty else { return }
            self.headingPath = headingPath
            carry.removeAll()
            let sizes = blocks.map { UTF8Text.scalarCount($0.bytes, $0.bytes.indices) }
            var index = 0
            while index < blocks.count {
                var last = index
                var total = sizes[index]
                while last + 1 < blocks.count, blocks[last].gluesToNext, total + 2 + sizes[last + 1] <= maximum {
                    last += 1
                    total += 2 + sizes[last]
                }
                var block = blocks[last]
                if last > index {
                    block.bytes = Array(blocks[index...last].map(\.bytes).joined(separator: Self.blockSeparator))
                    block.isFenced = false
                    block.page = blocks[index].page > 0 ? blocks[index].page : block.page
                }
                // Still glued to a next block too long to join: start a chunk with room for that block's start.
                let glued = block.gluesToNext && last + 1 < blocks.count
                add(block, scalars: total, reserving: glued ? 2 + min(sizes[last + 1], target / 4) : 0)
                index = last + 1
            }
            flush()
        }

        /// Adds a block; `reserving` is room wanted after it in the same chunk (for what it is glued to).
        private mutating func add(_ block: Block, scalars: Int, reserving reserve: Int = 0) {
            blockNumber += 1
            let bytes = block.bytes
            if scalars <= maximum {
                let atom = Atom(range: bytes.indices, scalars: scalars)
                append(bytes, atom, kind: block.kind, joiner: nil, fence: nil, page: block.page, reserving: reserve)
                return
            }
            var inner = bytes.indices
            var fence: (open: ArraySlice<UInt8>, close: [UInt8])?
            if block.isFenced, let firstBreak = bytes.firstIndex(of: UTF8Text.newline) {
                let lastBreak = bytes.lastIndex(of: UTF8Text.newline) ?? firstBreak
                let open = bytes[UTF8Text.trimmed(bytes, 0..<firstBreak)]
                let marker = open.prefix { $0 == open.first }
                let closing = lastBreak > firstBreak ? bytes[UTF8Text.trimmed(bytes, lastBreak..<bytes.count)] : []
                let closes = !closing.isEmpty && closing.allSatisfy { $0 == marker.first }
                inner = (firstBreak + 1)..<(closes ? lastBreak : bytes.count)
                fence = (open, Array(marker))
            }
            let cost = fence.map(Self.fenceCost) ?? 0
            let atoms = Splitter.atoms(bytes, inner, kind: block.kind, limit: max(1, maximum - cost))
            var previousEnd: Int?
            for atom in atoms {
                let joiner = previousEnd.map { bytes[$0..<atom.range.lowerBound] }
                append(bytes, atom, kind: block.kind, joiner: joiner, fence: fence, page: block.page)
                previousEnd = atom.range.upperBound
            }
        }

        /// Appends one atom of the current block; `joiner` is the text before it inside its block (nil for the
        /// block's first atom), `fence` the fences of a fenced code block being cut.
        private mutating func append(
            _ bytes: [UInt8], _ atom: Atom, kind: BlockKind, joiner: ArraySlice<UInt8>?,
            fence: (open: ArraySlice<UInt8>, close: [UInt8])?, page: Int, reserving reserve: Int = 0
        ) {
            let joinerBytes = joiner ?? Self.blockSeparator[...]
            let reopens = fence != nil && openFence?.block != blockNumber
            let fenceCost = reopens ? fence.map(Self.fenceCost) ?? 0 : 0
            if !body.isEmpty {
                let total = bodyScalars + owed + joinerBytes.count + fenceCost + atom.scalars + reserve
                let fits = total <= target || (total <= maximum && bodyScalars + owed < target * 3 / 5)
                if !fits { flush() }
            }
            if body.isEmpty {
                if !carry.isEmpty {
                    body.append(contentsOf: carry)
                    body.append(contentsOf: Self.separator(normalising: joinerBytes))
                    carry.removeAll()
                }
                // The carried overlap is not counted: it has its own budget.
                bodyScalars = 0
                tailStart = body.count
                tailKind = kind
            } else {
                closeFence(unless: fence == nil ? nil : blockNumber)
                body.append(contentsOf: joinerBytes)
                bodyScalars += UTF8Text.scalarCount(joinerBytes, joinerBytes.indices)
                if joiner == nil {
                    tailStart = body.count
                    tailKind = kind
                }
            }
            if let fence, openFence?.block != blockNumber {
                body.append(contentsOf: fence.open)
                body.append(UTF8Text.newline)
                bodyScalars += UTF8Text.scalarCount(fence.open, fence.open.indices) + 1
                openFence = (blockNumber, fence.close)
                owed = 1 + fence.close.count
                tailStart = body.count
            }
            body.append(contentsOf: bytes[atom.range])
            bodyScalars += atom.scalars
            if page > 0 {
                firstPage = firstPage == 0 ? page : min(firstPage, page)
                lastPage = max(lastPage, page)
            }
        }

        /// The scalars a pair of fences adds to a piece: the opening line, two newlines, the closing marker.
        private static func fenceCost(_ fence: (open: ArraySlice<UInt8>, close: [UInt8])) -> Int {
            UTF8Text.scalarCount(fence.open, fence.open.indices) + 2 + fence.close.count
        }

        /// Writes the closing fence owed by an open fenced block, unless it belongs to block `keep`.
        private mutating func closeFence(unless keep: Int?) {
            guard let open = openFence, open.block != keep else { return }
            body.append(UTF8Text.newline)
            body.append(contentsOf: open.close)
            bodyScalars += owed
            openFence = nil
            owed = 0
        }

        private mutating func flush() {
            guard !body.isEmpty else { return }
            closeFence(unless: nil)
            carry = tailKind == .prose || tailKind == .list ? tail(budget: overlap - 2) : []
            let text = String(decoding: body, as: UTF8.self)
            chunks.append(Chunk(ordinal: chunks.count, headingPath: headingPath, text: text,
                                pages: firstPage > 0 ? firstPage...lastPage : nil))
            body.removeAll(keepingCapacity: true)
            bodyScalars = 0
            firstPage = 0
            lastPage = 0
        }

        /// The end of `body` from `tailStart`, at most `budget` scalars, starting at a sentence start when that keeps
        /// at least a third of the budget, else at a line start on the same terms, else at a word start; empty when
        /// there is no such start.
        private func tail(budget: Int) -> [UInt8] {
            guard budget > 0, tailStart < body.count else { return [] }
            var window = body.count
            var count = 0
            while window > tailStart {
                var previous = window - 1
                while previous > tailStart, body[previous] & 0xC0 == 0x80 { previous -= 1 }
                if count == budget { break }
                count += 1
                window = previous
            }
            let region = tailStart..<body.count
            if window == tailStart { return Array(body[region]) }
            var index = max(window - 1, tailStart)
            while index < body.count {
                if let end = Splitter.sentenceEnd(body, at: index, in: region) {
                    var start = end
                    while start < body.count, UTF8Text.isSpace(body[start]) { start += 1 }
                    if start >= window {
                        if start < body.count, UTF8Text.scalarCount(body, start..<body.count) * 3 >= budget {
                            return Array(body[start...])
                        }
                        break
                    }
                    index = end
                } else {
                    index += 1
                }
            }
            // A line start (a list item), if it keeps a third of the budget.
            if let newline = body[(window - 1)...].firstIndex(of: UTF8Text.newline) {
                var start = newline + 1
                while start < body.count, UTF8Text.isSpace(body[start]) { start += 1 }
                if start < body.count, UTF8Text.scalarCount(body, start..<body.count) * 3 >= budget {
                    return Array(body[start...])
                }
            }
            var start = window
            while start < body.count, !(UTF8Text.isSpace(body[start - 1]) && !UTF8Text.isSpace(body[start])) {
                start += 1
            }
            return start < body.count ? Array(body[start...]) : []
        }

        private static func separator(normalising joiner: ArraySlice<UInt8>) -> [UInt8] {
            let newlines = joiner.reduce(0) { $0 + ($1 == UTF8Text.newline ? 1 : 0) }
            if newlines >= 2 { return blockSeparator }
            if newlines == 1 { return [UTF8Text.newline] }
            return joiner.isEmpty ? [] : [UTF8Text.space]
        }
    }
}
