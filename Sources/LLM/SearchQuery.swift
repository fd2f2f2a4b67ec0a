// A follow-up question made into a search query by the model: "and how do I cancel it?" after a question about
// kiln firings becomes "cancel a kiln firing". One short extra request, bounded in time and length; any failure
// (or a model at its ceiling) gives nil, and the caller searches with the conversation's words instead.
internal import TextLines

extension ModelAnswerer {
    static let searchQueryPrompt = """
        You turn a follow-up question into a search query for a collection of documents. Use the conversation only \
        to fill in what the follow-up leaves out (what "it", "that" or "the other one" means). Reply with the query \
        alone: at most 12 words, no quotes, no explanation.
        """

    /// The messages of the request: the instructions, the recent conversation (each message cut short), the
    /// follow-up.
    func searchQueryMessages(question: String, history: [ChatMessage]) -> [ChatMessage] {
        let conversation = history.suffix(4).map { message in
            let text = message.content.count > 400 ? String(message.content.prefix(400)) + "…" : message.content
            return "\(message.role == "user" ? "Question" : "Answer"): \(text)"
        }.joined(separator: "\n")
        return [
            ChatMessage(role: "system", content: Self.searchQueryPrompt),
            ChatMessage(role: "user", content: "Conversation:\n\(conversation)\n\nFollow-up: \(question)\n\nSearch query:"),
        ]
    }

    public func searchQuery(for question: String, history: [ChatMessage], within limit: Duration) async -> String? {
        guard client.ceiling?.wait() == nil else { return nil }
        let messages = searchQueryMessages(question: question, history: history)
        let client = self.client
        return await withTaskGroup(of: String?.self) { group in
            group.addTask {
                var text = ""
                do {
                    for try await delta in client.streamChat(messages) {
                        if case .text(let piece) = delta { text += piece }
                        if text.utf8.count > 2_000 { break }
                    }
                } catch {
                    return nil
                }
                return Self.cleanedQuery(text)
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The model's reply as a query: its first line, without quotes or a "Search query:" label, at most 200
    /// characters; nil when nothing is left.
    static func cleanedQuery(_ reply: String) -> String? {
        var line = reply.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased().contains("query") {
            line = String(line[line.index(after: colon)...])
        }
        let unwanted = Set(" \t\"'“”‘’`")
        let trimmed = line.trimming { unwanted.contains($0) }
        guard !trimmed.isEmpty else { return nil }
        return String(trimmed.prefix(200))
    }
}
