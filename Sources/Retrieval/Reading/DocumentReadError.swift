// Why a file could not be read, in one line for the person who dropped it into the documents folder.

/// Why a document could not be read. Every case has a `reason` written for the person running Quarry, not for a
/// developer: it says what is wrong with the file and, where there is something to do, what.
public enum DocumentReadError: Error, Equatable, Sendable {
    /// Binary content where text was expected.
    case binary
    /// Password-protected or encrypted.
    case encrypted
    /// A PDF without a text layer (a scan).
    case noTextLayer
    /// Truncated, corrupt or not what its name says; the detail names what was wrong.
    case damaged(String)
    /// Refused before or while reading: too large, a zip bomb, entity declarations; the detail says which.
    case refused(String)
    /// A converter took longer than the limit.
    case timedOut(seconds: Int)
    /// The program that reads this format is not installed.
    case converterMissing(program: String, package: String)
    /// A format that needs a `DocumentReader` (PDF, Word, OpenDocument, EPUB) was given to `Chunker.parse`.
    case unsupported(DocumentFormat)

    /// One line for the summary and the log.
    public var reason: String {
        switch self {
        case .binary: "binary content, not text"
        case .encrypted: "it is encrypted (password-protected): save an unprotected copy"
        case .noTextLayer: "no text layer: a scan? run it through OCR first"
        case .damaged(let detail): "it is damaged: \(detail)"
        case .refused(let detail): detail
        case .timedOut(let seconds): "reading it took longer than \(seconds) s (stopped; it may be damaged or huge)"
        case .converterMissing(let program, let package):
            "\(program) is not installed (apt install \(package)), so this format cannot be read"
        case .unsupported(let format): "the \(format.rawValue) format needs a document reader"
        }
    }
}
