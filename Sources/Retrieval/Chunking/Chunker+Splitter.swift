// Cutting a block that is too long for one chunk: at sentences, then lines, then words, and only a word longer than
// a whole chunk is cut inside (at a scalar boundary, so the text stays valid).

extension Chunker {
    /// A piece of a block that fits in a chunk: its byte range in the block and its length in scalars.
    struct Atom {
        var range: Range<Int>
        var scalars: Int
    }

    enum Splitter {
        enum Boundary { case sentence, line, word, scalar }

        /// Cuts `range` of `bytes` into atoms of at most `limit` scalars, in order, covering every word.
        static func atoms(_ bytes: [UInt8], _ range: Range<Int>, kind: BlockKind, limit: Int) -> [Atom] {
            var atoms: [Atom] = []
            let order: [Boundary] = kind == .prose ? [.sentence, .line, .word, .scalar] : [.line, .word, .scalar]
            split(bytes, range, order[...], keepIndent: kind != .prose, limit: limit, into: &atoms)
            return atoms
        }

        // Recursion here is bounded by the four kinds of boundary, not by the input.
        private static func split(
            _ bytes: [UInt8], _ range: Range<Int>, _ order: ArraySlice<Boundary>, keepIndent: Bool, limit: Int,
            into atoms: inout [Atom]
        ) {
            guard let boundary = order.first else { return }
            let rest = order.dropFirst()
            var pieces: [Range<Int>] = []
            switch boundary {
            case .sentence: sentences(bytes, range, into: &pieces)
            case .line: lines(bytes, range, keepIndent: keepIndent, into: &pieces)
            case .word: words(bytes, range, into: &pieces)
            case .scalar: scalarRuns(bytes, range, limit: limit, into: &pieces)
            }
            for piece in pieces {
                let count = UTF8Text.scalarCount(bytes, piece)
                if count <= limit || rest.isEmpty {
                    atoms.append(Atom(range: piece, scalars: count))
                } else {
                    split(bytes, piece, rest, keepIndent: keepIndent, limit: limit, into: &atoms)
                }
            }
        }

        private static func sentences(_ bytes: [UInt8], _ range: Range<Int>, into pieces: inout [Range<Int>]) {
            let text = UTF8Text.trimmed(bytes, range)
            var start = text.lowerBound
            var index = start
            while index < text.upperBound {
                if let end = sentenceEnd(bytes, at: index, in: text) {
                    var next = end
                    while next < text.upperBound, UTF8Text.isSpace(bytes[next]) { next += 1 }
                    if next < text.upperBound {
                        pieces.append(start..<end)
                        start = next
                    }
                    index = next
                } else {
                    index += 1
                }
            }
            if start < text.upperBound { pieces.append(start..<text.upperBound) }
        }

        private static func lines(
            _ bytes: [UInt8], _ range: Range<Int>, keepIndent: Bool, into pieces: inout [Range<Int>]
        ) {
            var start = range.lowerBound
            while start < range.upperBound {
                var end = start
                while end < range.upperBound, bytes[end] != UTF8Text.newline { end += 1 }
                let line = keepIndent ? UTF8Text.trimmedLines(bytes, start..<end) : UTF8Text.trimmed(bytes, start..<end)
                if !line.isEmpty { pieces.append(line) }
                start = end + 1
            }
        }

        private static func words(_ bytes: [UInt8], _ range: Range<Int>, into pieces: inout [Range<Int>]) {
            var index = range.lowerBound
            while index < range.upperBound {
                while index < range.upperBound, UTF8Text.isSpace(bytes[index]) { index += 1 }
                let start = index
                while index < range.upperBound, !UTF8Text.isSpace(bytes[index]) { index += 1 }
                if start < index { pieces.append(start..<index) }
            }
        }

        private static func scalarRuns(
            _ bytes: [UInt8], _ range: Range<Int>, limit: Int, into pieces: inout [Range<Int>]
        ) {
            var start = range.lowerBound
            var index = start
            var count = 0
            while index < range.upperBound {
                if bytes[index] & 0xC0 != 0x80 {
                    if count == limit {
                        pieces.append(start..<index)
                        start = index
                        count = 0
                    }
                    count += 1
                }
                index += 1
            }
            if start < range.upperBound { pieces.append(start..<range.upperBound) }
        }

        /// If a sentence ends at the terminator at `index` (`.`, `!`, `?`, or an ideographic one), the index just past
        /// it and any closing quotes, brackets or emphasis; nil when it does not (no space follows, an abbreviation
        /// like "e.g." or "Dr.", or the next word starts in lower case).
        static func sentenceEnd(_ bytes: [UInt8], at index: Int, in range: Range<Int>) -> Int? {
            let byte = bytes[index]
            let end = range.upperBound
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"):
                break
            case 0xE3 where index + 2 < end && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x82:  // 。
                return index + 3
            case 0xEF where index + 2 < end && bytes[index + 1] == 0xBC
                && (bytes[index + 2] == 0x81 || bytes[index + 2] == 0x9F):  // ！ ？
                return index + 3
            default:
                return nil
            }
            var after = index + 1
            while after < end {
                switch bytes[after] {
                case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "*"),
                     UInt8(ascii: "_"), UInt8(ascii: "`"):
                    after += 1
                    continue
                case 0xE2 where after + 2 < end && bytes[after + 1] == 0x80
                    && (bytes[after + 2] == 0x9D || bytes[after + 2] == 0x99):  // ” ’
                    after += 3
                    continue
                default:
                    break
                }
                break
            }
            guard after == end || UTF8Text.isSpace(bytes[after]) else { return nil }
            if byte == UInt8(ascii: ".") {
                var next = after
                while next < end, UTF8Text.isSpace(bytes[next]) { next += 1 }
                if next < end, bytes[next] >= UInt8(ascii: "a"), bytes[next] <= UInt8(ascii: "z") { return nil }
                if isAbbreviation(bytes, endingAt: index, from: range.lowerBound) { return nil }
            }
            return after
        }

        private static let abbreviations: [[UInt8]] = [
            "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "vs", "cf", "Fig", "No", "Vol", "pp", "approx", "al",
        ].map { Array($0.utf8) }

        /// "e.g", "U.S", a single letter (an initial), or a common title or abbreviation before the dot.
        private static func isAbbreviation(_ bytes: [UInt8], endingAt dot: Int, from lower: Int) -> Bool {
            var start = dot
            while start > lower, !UTF8Text.isSpace(bytes[start - 1]), bytes[start - 1] != UInt8(ascii: "(") {
                start -= 1
                if dot - start > 12 { return false }
            }
            let token = bytes[start..<dot]
            if token.count == 1, let letter = token.first, UTF8Text.isLetter(letter) { return true }
            if token.contains(UInt8(ascii: ".")) {
                return token.split(separator: UInt8(ascii: ".")).allSatisfy { $0.count <= 2 }
            }
            return abbreviations.contains { $0.elementsEqual(token) }
        }
    }
}
