// A person's question as search terms. Nothing they type is ever read as query syntax: the question is cut into
// words (letters and digits, as FTS5's unicode61 tokenizer cuts text), common words are dropped, and the words go
// to the store as a `ChunkQuery` (data; SQLite quotes each as an FTS5 string). Quotes, AND, OR, NEAR, *, :, ( ) and
// a leading - are just words or nothing.
internal import Store

/// The informative words of a question and the query that finds them.
public struct QueryTerms: Sendable, Equatable {
    /// The words searched for, lower-cased, without repeats, in the order asked.
    public let words: [String]

    /// The terms of `question`. If every word is a common one ("what is it?"), the common words are kept rather
    /// than searching for nothing.
    public init(_ question: String) {
        let all = Self.words(of: question)
        let informative = all.filter { !Self.stopWords.contains($0) && !($0.count == 1 && $0.first!.isLetter) }
        var seen = Set<String>()
        words = (informative.isEmpty ? all : informative).filter { seen.insert($0).inserted }
    }

    /// Terms made of words already cut and lower-cased (each at most once, in order).
    init(words: [String]) {
        var seen = Set<String>()
        self.words = words.filter { seen.insert($0).inserted }
    }

    /// The informative words of `text` (no common words, no single letters), possibly none.
    static func informative(_ text: String) -> [String] {
        words(of: text).filter { !stopWords.contains($0) && !($0.count == 1 && $0.first!.isLetter) }
    }

    /// The query for chunks with any of the words; nil when there are none.
    var query: ChunkQuery? { words.isEmpty ? nil : ChunkQuery(anyOf: words) }

    /// Lower-cased runs of letters, digits and combining marks (what unicode61 keeps as tokens), each cut to 64
    /// scalars, at most `limit` of them: a question is held to 64 words, a passage is read whole.
    ///
    /// Works scalar by scalar with a fast path for ASCII: the relevance of every passage found is computed
    /// from its words, and `Character`'s Unicode properties cost ten times as much on the hot path.
    static func words(of text: String, limit: Int = 64) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length > 0 { out.append(String(current)) }
            current = String.UnicodeScalarView()
            length = 0
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                switch value {
                case 0x61...0x7A, 0x30...0x39:
                    if length < 64 { current.append(scalar) }
                    length += 1
                case 0x41...0x5A:
                    if length < 64 { current.append(Unicode.Scalar(value + 0x20)!) }
                    length += 1
                default:
                    flush()
                    if out.count == limit { return out }
                }
                continue
            }
            let properties = scalar.properties
            switch properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
                if length < 64 { current.append(contentsOf: properties.lowercaseMapping.unicodeScalars) }
                length += 1
            default:
                flush()
                if out.count == limit { return out }
            }
        }
        flush()
        return Array(out.prefix(limit))
    }

    /// English words too common to say what a question is about.
    static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because",
        "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "few", "for", "from", "further", "get", "got", "had", "has", "have",
        "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "itself", "just", "me", "might", "more", "most", "must", "my", "no", "nor", "not", "now", "of", "off", "on",
        "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some",
        "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those",
        "through", "to", "too", "under", "until", "up", "use", "using", "very", "want", "was", "way", "we", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
        "yours", "make", "tell", "know", "need", "there", "something", "thing", "things",
    ]
}
