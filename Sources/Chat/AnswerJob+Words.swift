// The answerer as a job in a page's language uses it: with no model, the passages' label (and the sentence when
// none matched) are the page's words; a model is asked as it is (its instructions are its own).
internal import LLM
internal import Words

extension AnswerJob {
    /// `answerer`, its own words (if it has any) in `words`.
    func answerer(in words: Words) -> any Answerer {
        guard var extractive = answerer as? ExtractiveAnswerer else { return answerer }
        extractive.label = "*" + words[.answerNoModelLabel] + "*"
        extractive.nothing = words[.answerNothingFound]
        return extractive
    }
}
