// Whether a question needs its conversation to be understood: "and how do I cancel it?" does, "how do I cancel a
// kiln firing?" does not. Only a follow-up costs the model an extra request for a search query (AnswerJob); every
// question is searched with the conversation's words at a lower weight anyway (Retriever).

enum FollowUp {
    /// Words that point back into the conversation.
    static let pointers: Set<String> = [
        "it", "its", "this", "that", "these", "those", "they", "them", "their", "there", "he", "she", "him", "her",
        "his", "one", "ones", "same", "other", "others", "else", "former", "latter", "above", "previous", "instead",
    ]
    /// How a follow-up often begins.
    static let openings: [[String]] = [["and"], ["but"], ["also"], ["then"], ["so"], ["what", "about"], ["how", "about"]]

    /// Whether `question` can be searched as it is: long enough, not opening like a follow-up, pointing at nothing
    /// said before.
    static func standsAlone(_ question: String) -> Bool {
        let words = question.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "'") }.map(String.init)
        guard words.count > 3 else { return false }
        if openings.contains(where: { words.starts(with: $0) }) { return false }
        return !words.contains(where: pointers.contains)
    }
}
