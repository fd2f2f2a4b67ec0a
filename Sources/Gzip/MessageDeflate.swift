// One WebSocket message compressed for permessage-deflate (RFC 7692 §7.2.1), by a compressor made for it and primed
// with the end of what was sent before: the receiver's inflater still holds that text in its window, so the
// message may refer back to it as if one compressor had written everything. The sender keeps only that window
// (2^windowBits bytes) between messages, not a compressor's several kilobytes of state.

/// Compresses WebSocket messages for permessage-deflate.
public enum MessageDeflate {
    /// The compressed payload of `message`: a raw deflate stream, flushed, without the final `00 00 ff ff`.
    /// - Parameters:
    ///   - dictionary: the last bytes (at most 2^windowBits) of the messages sent before on this socket, or empty
    ///     when the receiver forgets between messages (`server_no_context_takeover`).
    ///   - windowBits: 9...15, at most what was agreed for the sender's window.
    ///   - memoryLevel: zlib's memLevel (1...9); low costs little to set up for each message.
    ///   - level: zlib's level (0...9).
    public static func compress(_ message: [UInt8], dictionary: [UInt8], windowBits: Int, memoryLevel: Int,
                                level: Int) throws(GzipError) -> [UInt8] {
        var output = try ZStream.deflateMessage(message, dictionary: dictionary, windowBits: Int32(windowBits),
                                                memoryLevel: Int32(memoryLevel), level: Int32(level))
        // RFC 7692 §7.2.1: the empty stored block a sync flush ends with is left off.
        if output.count >= 4, output.suffix(4).elementsEqual([0, 0, 0xff, 0xff]) { output.removeLast(4) }
        return output
    }
}
