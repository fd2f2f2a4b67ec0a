// A small WebSocket client (RFC 6455) for tests: masked client frames, fragmented messages, control frames.
#if canImport(Glibc)
import Glibc
#endif
import Crypto

enum WebSocketEvent: Equatable {
    case text(String)
    case binary([UInt8])
    case close(code: UInt16?, reason: String)
    case ping([UInt8])
    case pong([UInt8])
}

final class WebSocketClient {
    let connection: TCPConnection
    let handshakeStatus: Int
    /// The handshake response's status line and headers (empty if the connection closed first).
    let handshakeHead: String
    /// Answer pings with pongs automatically (turn off to play a dead peer).
    var answerPings = true

    /// Opens a socket to `path`; check `handshakeStatus == 101` before using it.
    init(port: Int, path: String = "/socket", headers: [(String, String)] = [], receiveBuffer: Int32? = nil,
         source: String? = nil) throws {
        connection = try TCPConnection(port: port, receiveBuffer: receiveBuffer, source: source)
        let key = ByteEncoding.base64URL(try SecureRandom.bytes(16)).replacing("-", with: "+").replacing("_", with: "/") + "=="
        var request = "GET \(path) HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { request += "Host: 127.0.0.1:\(port)\r\n" }
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        try connection.write(request + "\r\n")
        do {
            let head = String(decoding: try connection.take(until: Array("\r\n\r\n".utf8), seconds: 5), as: UTF8.self)
            handshakeStatus = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            handshakeHead = head
        } catch is ConnectionClosed {
            handshakeStatus = 0
            handshakeHead = ""
        }
    }

    func send(_ text: String) throws { try sendFrame(opcode: 1, payload: Array(text.utf8)) }

    func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) throws {
        try connection.write(try frame(opcode: opcode, payload: payload, fin: fin))
    }

    /// One masked client frame's bytes.
    func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true) throws -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xffff {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xff)) }
        }
        let mask = try SecureRandom.bytes(4)
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return frame
    }

    /// The next data or close event; pings are answered (when `answerPings`) and skipped.
    func next(seconds: Double = 10) throws -> WebSocketEvent {
        let deadline = now() + seconds
        var message: [UInt8] = []
        var messageOpcode: UInt8 = 0
        while true {
            let remaining = max(0.01, deadline - now())
            let head = try connection.take(2, seconds: remaining, what: "a frame")
            let fin = head[0] & 0x80 != 0, opcode = head[0] & 0x0f
            var length = Int(head[1] & 0x7f)
            if length == 126 {
                let ext = try connection.take(2, seconds: remaining)
                length = Int(ext[0]) << 8 | Int(ext[1])
            } else if length == 127 {
                length = try connection.take(8, seconds: remaining).reduce(0) { $0 << 8 | Int($1) }
            }
            let payload = try connection.take(length, seconds: remaining, what: "a frame's payload")
            switch opcode {
            case 8:
                let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
                return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
            case 9:
                if answerPings { try sendFrame(opcode: 10, payload: payload) } else { return .ping(payload) }
            case 10:
                return .pong(payload)
            default:
                if opcode != 0 { messageOpcode = opcode }
                message += payload
                if fin {
                    return messageOpcode == 1 ? .text(String(decoding: message, as: UTF8.self)) : .binary(message)
                }
            }
        }
    }

    /// The next text message, failing on anything else.
    func nextText(seconds: Double = 10) throws -> String {
        let event = try next(seconds: seconds)
        guard case .text(let text) = event else { throw UnexpectedEvent(event: event) }
        return text
    }

    /// Waits for the server to close; returns the close code (nil when the connection just ended).
    func waitForClose(seconds: Double = 10) throws -> UInt16? {
        let deadline = now() + seconds
        while true {
            do {
                if case .close(let code, _) = try next(seconds: max(0.01, deadline - now())) { return code }
            } catch is ConnectionClosed {
                return nil
            }
        }
    }

    func close() throws { try sendFrame(opcode: 8, payload: [0x03, 0xe8]) }
}

struct UnexpectedEvent: Error { let event: WebSocketEvent }
