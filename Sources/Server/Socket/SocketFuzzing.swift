// An entry point for the fuzzers (tools/fuzz): what a browser sends up the socket, as arbitrary bytes. Quarry
// itself never calls it; it is public so the fuzzing harness needs no testable build.

/// The socket's message decoder, under fuzzing.
public enum SocketFuzzing {
    /// Decodes `bytes` as a client's message: an op or a rejection with a reason, never a crash.
    public static func decode(_ bytes: [UInt8]) {
        if case .failure(let rejection) = ClientMessage.decode(bytes) {
            precondition(!rejection.message.isEmpty, "a rejection without a message")
        }
    }
}
