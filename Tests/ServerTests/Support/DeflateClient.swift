// A permessage-deflate client (RFC 7692) for tests, over WebSocketClient: it offers the extension, compresses what
// it sends as agreed, and reads whole messages with each frame's RSV1 bit, inflating compressed ones.
//
// zlib comes from CZlib, which the test target reaches through Gzip.
import CZlib
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// Chromium's offer: any window, and the server may cap the client's.
let chromiumOffer = "permessage-deflate; client_max_window_bits"
/// Firefox's offer: the bare extension (the client compresses with a 15-bit window).
let firefoxOffer = "permessage-deflate"

/// One message as it came off the wire.
struct WireMessage {
    struct Frame {
        let fin: Bool
        let rsv1: Bool
        let opcode: UInt8
        let payload: [UInt8]
    }

    let frames: [Frame]
    /// The message's bytes, inflated when the first frame has RSV1.
    let payload: [UInt8]
    var compressed: Bool { frames[0].rsv1 }
    var opcode: UInt8 { frames[0].opcode }
    var text: String { String(decoding: payload, as: UTF8.self) }
    /// The close code of a close frame.
    var closeCode: UInt16? {
        opcode == 8 && payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
    }
}

struct ZlibFailure: Error { let code: Int32 }

final class DeflateClient {
    let socket: WebSocketClient
    /// The value of the response's `Sec-WebSocket-Extensions`, nil if the server sent none.
    let extensions: String?
    /// One inflater for the connection, keeping its window from message to message as a browser's does.
    let inflater = RawInflater()
    private var deflater: RawDeflater

    /// Opens `/socket` offering `offer` (nil: no offer). The client compresses with `windowBits`, or with what the
    /// server asked of it.
    init(port: Int, offer: String?, windowBits: Int = 15, headers: [(String, String)] = [],
         receiveBuffer: Int32? = nil) throws {
        let extensionHeader = offer.map { [("Sec-WebSocket-Extensions", $0)] } ?? []
        socket = try WebSocketClient(port: port, headers: headers + extensionHeader, receiveBuffer: receiveBuffer)
        extensions = socket.handshakeHead.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("sec-websocket-extensions:") }
            .map { String($0.dropFirst("sec-websocket-extensions:".count).drop(while: { $0 == " " })) }
        let asked = extensions?.firstMatch(of: /client_max_window_bits=(\d+)/).flatMap { Int($0.1) }
        deflater = try RawDeflater(windowBits: min(windowBits, asked ?? 15))
    }

    /// Whether the server asked this client not to keep its compressor between messages.
    var resetsCompressor: Bool { extensions?.contains("client_no_context_takeover") ?? false }

    /// Sends `text` as one compressed frame (RSV1 set).
    func sendCompressed(_ text: String) throws {
        try sendCompressed(Array(text.utf8))
    }

    func sendCompressed(_ bytes: [UInt8]) throws {
        try socket.connection.write(compressedFrames(bytes, pieces: 1).joined().map { $0 })
    }

    /// The frames of one compressed text message split into `pieces` frames (RSV1 on the first only).
    func compressedFrames(_ bytes: [UInt8], pieces: Int) throws -> [[UInt8]] {
        if resetsCompressor { deflater = try RawDeflater(windowBits: deflater.windowBits) }
        let compressed = try deflater.compress(bytes)
        let size = max(1, (compressed.count + pieces - 1) / pieces)
        let chunks = stride(from: 0, to: compressed.count, by: size)
            .map { Array(compressed[$0..<min($0 + size, compressed.count)]) }
        return try chunks.enumerated().map { index, chunk in
            var frame = try socket.frame(opcode: index == 0 ? 1 : 0, payload: chunk, fin: index == chunks.count - 1)
            if index == 0 { frame[0] |= 0x40 }
            return frame
        }
    }

    /// The next data or close message; pings are answered and skipped.
    func next(seconds: Double = 10) throws -> WireMessage {
        let deadline = now() + seconds
        var frames: [WireMessage.Frame] = []
        while true {
            let remaining = max(0.01, deadline - now())
            let head = try socket.connection.take(2, seconds: remaining, what: "a frame")
            var length = Int(head[1] & 0x7f)
            if length == 126 {
                length = try socket.connection.take(2, seconds: remaining).reduce(0) { $0 << 8 | Int($1) }
            } else if length == 127 {
                length = try socket.connection.take(8, seconds: remaining).reduce(0) { $0 << 8 | Int($1) }
            }
            let frame = WireMessage.Frame(fin: head[0] & 0x80 != 0, rsv1: head[0] & 0x40 != 0, opcode: head[0] & 0x0f,
                                          payload: try socket.connection.take(length, seconds: remaining))
            if frame.opcode == 9 {
                try socket.sendFrame(opcode: 10, payload: frame.payload)
                continue
            }
            if frame.opcode >= 8 { return WireMessage(frames: [frame], payload: frame.payload) }
            frames.append(frame)
            guard frame.fin else { continue }
            let joined = Array(frames.map(\.payload).joined())
            return WireMessage(frames: frames, payload: frames[0].rsv1 ? try inflater.inflate(joined) : joined)
        }
    }

    /// Waits for the server to close; returns the close code (nil when the connection just ended).
    func waitForClose(seconds: Double = 10) throws -> UInt16? {
        let deadline = now() + seconds
        while true {
            do {
                let message = try next(seconds: max(0.01, deadline - now()))
                if message.opcode == 8 { return message.closeCode }
            } catch is ConnectionClosed {
                return nil
            }
        }
    }
}

extension TestServer {
    /// A permessage-deflate client that has subscribed to `stream` (compressed) and seen the snapshot.
    func deflateSubscriber(to stream: String, offer: String? = chromiumOffer, receiveBuffer: Int32? = nil) throws
        -> DeflateClient
    {
        let client = try DeflateClient(port: port, offer: offer, receiveBuffer: receiveBuffer)
        guard client.socket.handshakeStatus == 101 else { throw UnexpectedStatus(status: client.socket.handshakeStatus) }
        let subscribe = #"{"op":"subscribe","stream":"\#(streamNames.signed(stream))"}"#
        if client.extensions == nil { try client.socket.send(subscribe) } else { try client.sendCompressed(subscribe) }
        let snapshot = try client.next()
        guard snapshot.text.contains("target=\"subscribed\"") else { throw UnexpectedEvent(event: .text(snapshot.text)) }
        return client
    }
}

/// A raw deflate stream (RFC 1951) with a sync flush after each message, its 00 00 FF FF tail removed (RFC 7692
/// §7.2.1). The `z_stream` stays on the heap: zlib keeps a pointer back to it.
final class RawDeflater {
    let windowBits: Int
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init(windowBits: Int, level: Int32 = 6) throws {
        self.windowBits = windowBits
        stream.initialize(to: z_stream())
        let code = deflateInit2_(stream, level, Z_DEFLATED, -Int32(windowBits), 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                 Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else { throw ZlibFailure(code: code) }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func compress(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var input = input
        var piece = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inputBuffer.count)
            repeat {
                try piece.withUnsafeMutableBufferPointer { pieceBuffer in
                    stream.pointee.next_out = pieceBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(pieceBuffer.count)
                    let code = deflate(stream, Z_SYNC_FLUSH)
                    guard code == Z_OK || code == Z_BUF_ERROR else { throw ZlibFailure(code: code) }
                    output += pieceBuffer.prefix(pieceBuffer.count - Int(stream.pointee.avail_out))
                }
            } while stream.pointee.avail_out == 0
        }
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        guard output.suffix(4) == [0, 0, 0xff, 0xff] else { throw ZlibFailure(code: Z_DATA_ERROR) }
        return Array(output.dropLast(4))
    }
}

/// The receiving side: a raw inflate stream, fed each message with its tail restored. A window smaller than the
/// sender's fails on the first match that reaches farther back.
final class RawInflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init(windowBits: Int = 15) {
        stream.initialize(to: z_stream())
        let code = inflateInit2_(stream, -Int32(windowBits), zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(code == Z_OK)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates one message. Output comes in small pieces, as lws inflates: a match is then resolved from the
    /// window, not from a large output buffer, and a window smaller than the sender's shows.
    func inflate(_ compressed: [UInt8]) throws -> [UInt8] {
        var input = compressed + [0, 0, 0xff, 0xff]
        var output: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 256)
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inputBuffer.count)
            repeat {
                try piece.withUnsafeMutableBufferPointer { pieceBuffer in
                    stream.pointee.next_out = pieceBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(pieceBuffer.count)
                    let code = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    guard code == Z_OK || code == Z_BUF_ERROR else { throw ZlibFailure(code: code) }
                    output += pieceBuffer.prefix(pieceBuffer.count - Int(stream.pointee.avail_out))
                }
            } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        }
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        return output
    }
}
