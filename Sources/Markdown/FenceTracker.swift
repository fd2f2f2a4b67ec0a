extension Markdown {
    /// Follows fenced code blocks line by line, by CommonMark's rules: a fence is three or more `` ` `` or `~`
    /// indented at most three spaces (a backtick fence's info string holds no backtick); it is closed by a fence of
    /// the same character, at least as long, with nothing after it but spaces.
    struct FenceTracker {
        private var open: (character: UInt8, length: Int)?

        /// Whether the lines read so far end inside a fenced code block.
        var isOpen: Bool { open != nil }

        /// Reads one line (without its line ending).
        mutating func read<Line: Collection<UInt8>>(_ line: Line) {
            let indent = line.prefix { $0 == UInt8(ascii: " ") }.count
            let rest = line.dropFirst(indent)
            guard indent <= 3, let first = rest.first, first == UInt8(ascii: "`") || first == UInt8(ascii: "~") else {
                return
            }
            let run = rest.prefix { $0 == first }.count
            guard run >= 3 else { return }
            let info = rest.dropFirst(run)
            if let fence = open {
                if first == fence.character, run >= fence.length, info.allSatisfy({ $0 == UInt8(ascii: " ") }) {
                    open = nil
                }
            } else if first == UInt8(ascii: "~") || !info.contains(UInt8(ascii: "`")) {
                open = (first, run)
            }
        }
    }

    /// Whether `text`, read as whole lines split at `\n`, ends inside a fenced code block (see `FenceTracker`).
    public static func endsInsideFence(_ text: ArraySlice<UInt8>) -> Bool {
        var fence = FenceTracker()
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            fence.read(line)
        }
        return fence.isOpen
    }
}
