// The model's failures in the reader's words: the same sentences as `LLMError.userMessage` (which the terminal and
// the log keep, in English), from the words files. Never the service's own words (see `LLMError.logMessage`).
public import LLM
public import Words

extension Words {
    /// What to tell the person at the screen about `error`, in these words.
    public func message(for error: LLMError) -> String {
        switch error {
        case .notConfigured: self[.modelNotConfigured]
        case .keyRejected: self[.modelKeyRejected]
        case .modelNotFound(let model, _): self(.modelNotFound, ("model", model))
        case .rateLimited(let retryAfter?, _): self(.modelBusyFor, ("seconds", seconds(retryAfter, roundingUp: false)))
        case .rateLimited(nil, _): self[.modelBusy]
        case .upstream: self[.modelUpstream]
        case .streamCut(let characters):
            characters > 0 ? self(.modelCutOff, ("count", "\(characters)")) : self[.modelClosed]
        case .timedOut(let kind):
            switch kind {
            case .connect: self[.modelConnectTimeout]
            case .firstToken: self[.modelFirstTokenTimeout]
            case .idle: self[.modelIdleTimeout]
            case .total: self[.modelTotalTimeout]
            }
        case .cancelled: self[.answerStopped]
        case .unreachable: self[.modelUnreachable]
        case .badResponse: self[.modelBadResponse]
        case .ceilingReached(let retryAfter): self(.modelCeiling, ("seconds", seconds(retryAfter, roundingUp: true)))
        }
    }

    /// Whole seconds, at least one, in words ("1 second", "12 seconds"), as `LLMError.userMessage` says them.
    func seconds(_ duration: Duration, roundingUp: Bool) -> String {
        let whole = max(1, Int(duration.components.seconds) + (roundingUp && duration.components.attoseconds > 0 ? 1 : 0))
        return whole == 1 ? self[.modelSecond] : self(.modelSeconds, ("count", "\(whole)"))
    }
}
