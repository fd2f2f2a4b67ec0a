// A new thread's title: its first question, on one line, short enough for the list.

enum Titles {
    /// The question's first line with runs of spaces collapsed, cut at a word to at most `limit` characters.
    static func title(_ question: String, limit: Int = 60) -> String {
        let line = question.split(separator: "\n").first.map(String.init) ?? question
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        let flat = words.joined(separator: " ")
        guard flat.count > limit else { return flat.isEmpty ? "New conversation" : flat }
        let cut = flat.prefix(limit - 1)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }
}
