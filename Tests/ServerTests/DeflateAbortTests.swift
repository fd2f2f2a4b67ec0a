import Testing
@testable import Server

/// Compressed messages that made libwebsockets 4.1.6 abort the whole server (`assert(priv->rx.avail_out)` in its
/// permessage-deflate inflater, see `quarry_pmd_rx_would_assert` and `docs/limits.md`).
@Suite struct DeflateAbortTests {
    /// What zlib (level 9, 9-bit window, memLevel 9) writes for 168 repetitive bytes, sync-flushed and without the
    /// tail: its last byte ends the last back-reference and holds the end-of-block code and the next block's header.
    static let repeats = String(repeating: " cg agbg  ggafhh hbadacacedcc hggedddhdheg", count: 4)
    static let repeatsCompressed: [UInt8] = [
        0xc4, 0xca, 0x31, 0x01, 0x00, 0x30, 0x0c, 0x02, 0x30, 0x2b, 0x58, 0xa3, 0xd0, 0x81, 0x7f, 0x05, 0x95, 0xb1,
        0xdc, 0x81, 0x02, 0x66, 0x02, 0x24, 0x7c, 0x2d, 0x3a, 0x34, 0x45, 0xad, 0x25, 0x34, 0x59, 0xdb, 0x75, 0x37,
        0xf8, 0x3a, 0x0f,
    ]
    /// A fixed-Huffman block holding the literal `a` and one 258-byte match, and no end-of-block code.
    static let cutInsideAMatch: [UInt8] = [0x4a, 0x1c, 0x05]

    /// One masked text frame with RSV1 (compressed) carrying `payload` as it is.
    static func compressedFrame(_ client: DeflateClient, _ payload: [UInt8]) throws -> [UInt8] {
        var frame = try client.socket.frame(opcode: 1, payload: payload)
        frame[0] |= 0x40
        return frame
    }

    @Test func aMessageAsZlibWritesItIsReadWhole() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/abort")
        try client.socket.connection.write(Self.compressedFrame(client, Self.repeatsCompressed))
        #expect(try client.next().text.contains("bad_json"))
        try client.sendCompressed(#"{"op":"dance"}"#)
        #expect(try client.next().text.contains("unknown_op"), "the inflater ended between blocks")
    }

    @Test func aStreamCutInsideAMatchClosesOnlyItsConnection() throws {
        let server = try TestServer()
        let client = try server.deflateSubscriber(to: "thread/abort")
        try client.socket.connection.write(Self.compressedFrame(client, Self.cutInsideAMatch))
        #expect(throws: ConnectionClosed.self) {
            while true { _ = try client.next(seconds: 10) }
        }
        let other = try server.deflateSubscriber(to: "thread/abort")
        try other.sendCompressed(#"{"op":"dance"}"#)
        #expect(try other.next().text.contains("unknown_op"))
    }
}
