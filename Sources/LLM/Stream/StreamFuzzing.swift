// Entry points for the fuzzers (tools/fuzz): arbitrary bytes in, the parsers' own promises checked, a trap when one
// is broken. Quarry itself never calls them; they are public so the fuzzing harness needs no testable build.

/// The stream parsers of a model's answer, under fuzzing.
public enum StreamFuzzing {
    /// SSE: parsing never crashes, and the events do not depend on where the body is cut into chunks (the first
    /// byte picks the cut).
    public static func sse(_ bytes: [UInt8]) {
        let whole = events(of: [bytes[...]])
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) * bytes.count / 256
        let pieces = events(of: [bytes[..<cut], bytes[cut...]])
        precondition(whole == pieces, "SSE events depend on chunking at \(cut): \(whole as Any) vs \(pieces as Any)")
    }

    /// The chat stream: the body's events decoded as a streamed answer, and the body as a whole completion; never
    /// a crash, and the characters counted are those of the text decoded.
    public static func chatStream(_ bytes: [UInt8]) {
        var decoder = ChatStreamDecoder()
        var text = 0
        for event in events(of: [bytes[...]]) ?? [] {
            guard let deltas = try? decoder.decode(event) else { break }
            for case .text(let piece) in deltas { text += piece.count }
        }
        precondition(decoder.characters == text, "counted \(decoder.characters) characters of \(text)")
        _ = try? ChatStreamDecoder.decodeCompletion(bytes)
    }

    /// The events of a body fed in `pieces`; nil when the parser refused it.
    private static func events(of pieces: [ArraySlice<UInt8>]) -> [SSEEvent]? {
        var parser = SSEParser(limit: 4096)
        var events: [SSEEvent] = []
        for piece in pieces {
            guard let more = try? parser.feed(piece) else { return nil }
            events += more
        }
        return events + parser.finish()
    }
}
