// A new thread's title: its first question, on one line, short enough for the list. Short in bytes too: one
// character can carry thousands of combining marks, and a 40 KB "7 characters" title was once stored.

enum Titles {
    /// The question's first line with runs of spaces collapsed, cut at a word to at most `limit` characters and
    /// `maxBytes` bytes of UTF-8 (the ellipsis included).
    static func title(_ question: String, limit: Int = 60, maxBytes: Int = 240) -> String {
        let line = question.split(separator: "\n").first.map(String.init) ?? question
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        let flat = words.joined(separator: " ")
        guard flat.count > limit || flat.utf8.count > maxBytes else { return flat.isEmpty ? "New conversation" : flat }
        let cut = prefix(of: flat, characters: limit - 1, bytes: maxBytes - "…".utf8.count)
        let atWord = cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? cut
        return (atWord.isEmpty ? cut : atWord) + "…"
    }

    /// The longest start of `text` within both counts; a character too big on its own is cut between its scalars.
    static func prefix(of text: String, characters: Int, bytes: Int) -> String {
        var out = "", used = 0
        for character in text.prefix(characters) {
            let size = character.utf8.count
            if used + size <= bytes {
                out.append(character)
                used += size
                continue
            }
            if out.isEmpty {
                var scalars = String.UnicodeScalarView()
                for scalar in character.unicodeScalars {
                    let scalarSize = String(scalar).utf8.count
                    guard used + scalarSize <= bytes else { break }
                    scalars.append(scalar)
                    used += scalarSize
                }
                out = String(scalars)
            }
            break
        }
        return out
    }
}
