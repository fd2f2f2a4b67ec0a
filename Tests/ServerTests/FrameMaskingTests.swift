import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// RFC 6455 §5.1: a client masks every frame, and the server closes the connection on one that is not masked
/// (CShim's `recv` follows the frame headers lws reads; see `docs/limits.md`).
@Suite struct FrameMaskingTests {
    @Test func anUnmaskedFrameClosesTheConnection() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/mask")
        try client.send(#"{"op":"dance"}"#)
        #expect(try client.nextText().contains("unknown_op"), "a masked frame is read and answered")
        let payload = Array(#"{"op":"dance"}"#.utf8)
        try client.connection.write([0x81, UInt8(payload.count)] + payload)
        #expect(throws: ConnectionClosed.self) {
            while true { _ = try client.next(seconds: 10) }
        }
        _ = try server.subscriber(to: "thread/mask")
    }

    @Test func maskedFramesSplitAnywhereAreAllRead() throws {
        let server = try TestServer()
        let client = try server.subscriber(to: "thread/mask")
        var bytes: [UInt8] = []
        for size in [0, 1, 125, 126, 3000, 60000] {
            let op = String(repeating: "y", count: size)
            bytes += try client.frame(opcode: 1, payload: Array(#"{"op":"\#(op)"}"#.utf8))
        }
        // Seven bytes at a time: every header is split across the server's reads somewhere.
        for start in stride(from: 0, to: bytes.count, by: 7) {
            try client.connection.write(Array(bytes[start..<min(start + 7, bytes.count)]))
        }
        var answered = 0
        while answered < 6 { answered += try client.nextText().matches(of: /unknown_op|bad_field/).count }
        #expect(answered == 6)
    }
}
