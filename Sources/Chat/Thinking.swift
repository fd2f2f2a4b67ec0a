// An answer's thinking: the steps the job took ("Searching knowledge base…") and, from a reasoning model, its own
// reasoning. Stored in the message's `thinking` column as the steps one per line, then U+0001 and the reasoning
// (which may hold new lines; the steps never do).

/// The steps and reasoning of one answer.
struct Thinking: Sendable, Equatable {
    var steps: [String] = []
    var reasoning = ""

    init(steps: [String] = [], reasoning: String = "") {
        self.steps = steps
        self.reasoning = reasoning
    }

    /// Read back from the `thinking` column.
    init(stored: String) {
        let parts = stored.split(separator: "\u{1}", maxSplits: 1, omittingEmptySubsequences: false)
        steps = parts[0].split(separator: "\n").map(String.init)
        reasoning = parts.count > 1 ? String(parts[1]) : ""
    }

    /// For the `thinking` column.
    var stored: String {
        steps.joined(separator: "\n") + (reasoning.isEmpty ? "" : "\u{1}" + reasoning)
    }
}
