// A table-driven lexer for code blocks, one line at a time.
//
// Why this and not a library: GNU source-highlight (Debian's libsource-highlight) is GPL-3, C++ over Boost.Regex,
// and reads its language definitions from /usr/share/source-highlight at run time, so the one binary would need
// files beside it; tree-sitter's runtime is in Debian but none of its grammars are. A lexer over a table per
// language (`Grammars`) is a few hundred lines, fits what a reader needs from colour (keywords, strings, comments,
// numbers, types), and, most of all, can promise what streaming needs:
//
// Every line is highlighted from the state the lines before it left (inside a block comment, a multi-line string,
// an HTML tag, CSS braces) and its spans are closed at its end (reopened on the next line if a comment goes on). So
// a line's HTML depends only on it and the lines above: when the next line arrives, nothing already sent changes,
// and the page gets only the new line's spans, appended inside the code element (`BlockDiff`'s growth). Each line is
// read once per render, in time linear in its length; `CodeBlocks` caps the bytes highlighted per block.
extension Markdown {
    /// Where the lexer is at the end of a line.
    struct LexerState: Equatable {
        /// The multi-line delimited run still open (an index into the grammar's), if any.
        var open: Int?
        /// Inside an HTML or XML tag, between its name and its `>`.
        var inTag = false
        /// CSS: how many braces are open.
        var depth = 0
    }

    /// Highlights lines of one code block in one language, carrying the state from line to line.
    struct Highlighter {
        let grammar: Grammar
        /// For each byte, the delimited runs that open with it.
        private let openers: [[Int]]
        /// The state the lines so far have left.
        var state = LexerState()

        init(_ grammar: Grammar) {
            self.grammar = grammar
            var openers = [[Int]](repeating: [], count: 256)
            for (index, run) in grammar.delimited.enumerated() { openers[Int(run.open[0])].append(index) }
            self.openers = openers
        }

        /// Appends the HTML of `bytes[start..<end]`, one line without its line ending, to `out`: escaped, with its
        /// tokens in spans that all close by its end.
        mutating func line(_ bytes: [UInt8], _ start: Int, _ end: Int, into out: inout [UInt8]) {
            var line = Line(bytes: bytes, start: start, end: end, plain: start)
            var i = start
            if let open = state.open {
                let run = grammar.delimited[open]
                if let close = closeIndex(of: run, in: bytes, from: start, end: end) {
                    line.styled(run.style, start, close, into: &out)
                    state.open = nil
                    i = close
                } else {
                    line.styled(run.style, start, end, into: &out)
                    i = end
                }
            }
            while i < end {
                i = token(at: i, &line, into: &out)
            }
            line.flush(to: end, into: &out)
        }

        /// Reads the token at `i`, emitting it if it is styled; returns where the next one starts.
        private mutating func token(at i: Int, _ line: inout Line, into out: inout [UInt8]) -> Int {
            let bytes = line.bytes, end = line.end, byte = bytes[i]
            if grammar.markup, state.inTag { return tagBody(at: i, &line, into: &out) }
            if let (index, close) = delimited(at: i, line) {
                return emitDelimited(index, from: i, close: close, &line, into: &out)
            }
            if grammar.markup { return markupText(at: i, &line, into: &out) }
            if isDigit(byte) || (byte == UInt8(ascii: ".") && i + 1 < end && isDigit(bytes[i + 1])) {
                if i > line.start, isWordByte(bytes[i - 1]) { return i + 1 }
                let stop = numberEnd(from: i, line)
                line.styled(.number, i, stop, into: &out)
                return stop
            }
            if isWordStart(at: i, line) {
                return word(at: i, &line, into: &out)
            }
            if grammar.variables, byte == UInt8(ascii: "$"), let stop = variableEnd(from: i, line) {
                line.styled(.variable, i, stop, into: &out)
                return stop
            }
            if let mark = grammar.annotation, byte == mark, i + 1 < end, isWordStart(at: i + 1, line) {
                let stop = wordEnd(from: i + 1, line)
                line.styled(.meta, i, stop, into: &out)
                return stop
            }
            if grammar.css { return cssPunctuation(at: i, &line, into: &out) }
            return i + 1
        }

        // MARK: Delimited runs

        /// The delimited run that opens at `i`, and the index just past its close (nil: it runs to the end of the
        /// line).
        private func delimited(at i: Int, _ line: Line) -> (Int, close: Int?)? {
            let bytes = line.bytes
            for index in openers[Int(bytes[i])] {
                let run = grammar.delimited[index]
                guard i + run.open.count <= line.end,
                      bytes[i..<(i + run.open.count)].elementsEqual(run.open)
                else { continue }
                if run.wordStart, i > line.start, !Self.beforeWord.contains(bytes[i - 1]) { continue }
                if run.lineStart, !bytes[line.start..<i].allSatisfy(isBlank) { continue }
                if isLetter(run.open[0]), i > line.start, isWordByte(bytes[i - 1]) { continue }
                let close = closeIndex(of: run, in: bytes, from: i + run.open.count, end: line.end)
                if run.character, !Self.isCharacter(bytes, from: i + run.open.count, to: (close ?? i) - run.close.count) {
                    continue
                }
                return (index, close)
            }
            return nil
        }

        /// Emits the delimited run `index` from `start`: to `close`, or to the end of the line, where a multi-line
        /// one stays open.
        private mutating func emitDelimited(_ index: Int, from start: Int, close: Int?, _ line: inout Line,
                                            into out: inout [UInt8]) -> Int {
            let run = grammar.delimited[index]
            guard let close else {
                line.styled(run.style, start, line.end, into: &out)
                if run.multiline, !run.close.isEmpty { state.open = index }
                return line.end
            }
            // JSON's and YAML's keys are strings before a colon.
            let style: Style = grammar.keys && run.style == .string && isKey(after: close, line, word: false)
                ? .attribute : run.style
            line.styled(style, start, close, into: &out)
            return close
        }

        /// The index just past `run`'s close in `bytes[from..<end]`, stepping over escaped bytes; nil if it does
        /// not close there (or closes only at the line's end).
        private func closeIndex(of run: Delimited, in bytes: [UInt8], from: Int, end: Int) -> Int? {
            guard let first = run.close.first else { return nil }
            var j = from
            while j < end {
                let byte = bytes[j]
                if run.escapes, byte == UInt8(ascii: "\\") {
                    j += 2
                    continue
                }
                if byte == first, j + run.close.count <= end, bytes[j..<(j + run.close.count)].elementsEqual(run.close) {
                    return j + run.close.count
                }
                j += 1
            }
            return nil
        }

        // MARK: Words, numbers, variables

        private mutating func word(at i: Int, _ line: inout Line, into out: inout [UInt8]) -> Int {
            let bytes = line.bytes
            let stop = wordEnd(from: i, line)
            var text = String(decoding: bytes[i..<stop], as: UTF8.self)
            if grammar.caseInsensitive { text = text.lowercased() }
            // `f"…"`, `rb'…'`: the prefix belongs to the string.
            if stop < line.end, grammar.stringPrefixes.contains(text), let (index, close) = delimited(at: stop, line),
               grammar.delimited[index].style == .string {
                return emitDelimited(index, from: i, close: close, &line, into: &out)
            }
            let next = stop < line.end ? bytes[stop] : 0
            let style: Style?
            if grammar.css {
                // `color: red` and `(max-width: 600px)` name a property; before a `{` is a selector (`a:hover`).
                let property = next == UInt8(ascii: ":") && (stop + 1 == line.end || isBlank(bytes[stop + 1]))
                style = property ? .attribute : state.depth == 0 || line.beforeBrace(i) ? .tag
                    : next == UInt8(ascii: ":") ? .attribute : next == UInt8(ascii: "(") ? .function : nil
            } else if grammar.keys, isKey(after: stop, line, word: true) {
                style = .attribute
            } else if grammar.keywords.contains(text) {
                style = .keyword
            } else if grammar.literals.contains(text) {
                style = .literal
            } else if grammar.types.contains(text) {
                style = .type
            } else if grammar.builtins.contains(text) {
                style = .function
            } else if grammar.capitalizedTypes, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[i]) {
                style = .type
            } else if grammar.calls, next == UInt8(ascii: "(") {
                style = .function
            } else if grammar.calls, next == UInt8(ascii: "!"), stop + 1 < line.end,
                      bytes[stop + 1] == UInt8(ascii: "(") || bytes[stop + 1] == UInt8(ascii: "[") {
                // A Rust macro: `println!(`, `vec![`.
                line.styled(.function, i, stop + 1, into: &out)
                return stop + 1
            } else {
                style = nil
            }
            if let style { line.styled(style, i, stop, into: &out) }
            return stop
        }

        /// Whether a `:` follows `index` (after blanks) and is not the first of `::`: a key before it. After a
        /// `word`, the colon must end the line or come before a blank (YAML's `key: value`, not `http://`).
        private func isKey(after index: Int, _ line: Line, word: Bool) -> Bool {
            var j = index
            while j < line.end, isBlank(line.bytes[j]) { j += 1 }
            guard j < line.end, line.bytes[j] == UInt8(ascii: ":") else { return false }
            guard j + 1 < line.end else { return true }
            return word ? isBlank(line.bytes[j + 1]) : line.bytes[j + 1] != UInt8(ascii: ":")
        }

        func isWordStart(at i: Int, _ line: Line) -> Bool {
            let byte = line.bytes[i]
            if isLetter(byte) || byte == UInt8(ascii: "_") || byte >= 0x80 { return true }
            guard grammar.wordBytes.contains(byte) else { return false }
            // `-` starts a word only before a letter (`-webkit-box`), never as a minus or a list's dash.
            return byte != UInt8(ascii: "-") || (i + 1 < line.end && isLetter(line.bytes[i + 1]))
        }

        func wordEnd(from i: Int, _ line: Line) -> Int {
            var j = i + 1
            while j < line.end, isWordByte(line.bytes[j]) { j += 1 }
            return j
        }

        func isWordByte(_ byte: UInt8) -> Bool {
            isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte >= 0x80 || grammar.wordBytes.contains(byte)
        }

        /// The end of the number at `i`: digits, letters (`0x1F`, `10px`, `2u`), `_`, a `.` before a digit, a sign
        /// after an exponent's `e`, and CSS's `%`.
        private func numberEnd(from i: Int, _ line: Line) -> Int {
            let bytes = line.bytes
            let hex = bytes[i] == UInt8(ascii: "0") && i + 1 < line.end && bytes[i + 1] | 0x20 == UInt8(ascii: "x")
            var j = i + 1
            while j < line.end {
                let byte = bytes[j]
                if isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") {
                    j += 1
                } else if byte == UInt8(ascii: "."), j + 1 < line.end, isDigit(bytes[j + 1]), bytes[j - 1] != UInt8(ascii: ".") {
                    j += 1
                } else if !hex, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-"), bytes[j - 1] | 0x20 == UInt8(ascii: "e"),
                          j + 1 < line.end, isDigit(bytes[j + 1]) {
                    j += 1
                } else if grammar.css, byte == UInt8(ascii: "%") {
                    return j + 1
                } else {
                    break
                }
            }
            return j
        }

        /// The end of a shell variable at `i` (`$name`, `${…}`, `$1`, `$?`, `$(`), or nil if `$` starts none.
        private func variableEnd(from i: Int, _ line: Line) -> Int? {
            guard i + 1 < line.end else { return nil }
            let next = line.bytes[i + 1]
            if next == UInt8(ascii: "{") {
                return line.bytes[(i + 2)..<line.end].firstIndex(of: UInt8(ascii: "}")).map { $0 + 1 } ?? line.end
            }
            if isWordStart(at: i + 1, line) { return wordEnd(from: i + 1, line) }
            return Self.specialVariables.contains(next) || isDigit(next) ? i + 2 : nil
        }

        /// Whether `bytes[from..<to]` is one character (one UTF-8 sequence) or one escape.
        private static func isCharacter(_ bytes: [UInt8], from: Int, to: Int) -> Bool {
            guard from < to else { return false }
            if bytes[from] == UInt8(ascii: "\\") { return to - from <= 10 }
            let lead = bytes[from]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            return to - from == length
        }

        /// Bytes after which a word-start delimited run may open.
        private static let beforeWord: Set<UInt8> = Set(" \t([{;|&=".utf8)
        /// The shell's one-character special parameters after `$`.
        private static let specialVariables: Set<UInt8> = Set("@*#?$!-(".utf8)
    }
}

/// ASCII letter, digit, blank: the highlighter reads bytes, and anything non-ASCII is part of a word.
func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) }
func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
