import Dispatch
import Glibc
import Locking
@testable import Curl

/// A tiny HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for tests: it accepts connections one after another
/// on its own thread and hands each to `handler`, which scripts the exchange byte by byte.
final class LoopbackServer: @unchecked Sendable {
    // @unchecked: `listener` and `port` are immutable; `thread` is written in `init` and read in `stop()`.
    let port: UInt16
    private let listener: Int32
    private var thread: SpawnedThread?

    init(handler: @escaping @Sendable (Connection) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else { close(listener); throw TestFailure("bind/listen failed") }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        // On a POSIX thread, not Swift concurrency's pool, where blocking calls would starve the tests.
        thread = spawnThread {
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }  // `stop()` shut the listener down
                handler(Connection(fd: fd))
                close(fd)
            }
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Stops accepting and waits for the server thread (and so the handler running on it) to finish.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        thread?.join()
        close(listener)
    }
}

/// A request as the server received it.
struct ReceivedRequest: Sendable {
    var method = ""
    var target = ""
    var headers: [CurlHeader] = []
    var body: [UInt8] = []

    func header(_ name: String) -> String? { headers.first { $0.matches(name) }?.value }
}

/// One accepted connection: read a request, write bytes.
struct Connection {
    let fd: Int32

    /// Reads one request: its head up to the blank line, then `Content-Length` bytes of body.
    func readRequest() -> ReceivedRequest? {
        var buffer: [UInt8] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard let piece = receive() else { return nil }
            buffer += piece
            headEnd = buffer.indices.dropLast(3).first { buffer[$0..<$0 + 4].elementsEqual(separator) }
        }
        let lines = String(decoding: buffer[..<headEnd!], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var request = ReceivedRequest()
        request.method = requestLine.first.map(String.init) ?? ""
        request.target = requestLine.dropFirst().first.map(String.init) ?? ""
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            request.headers.append(CurlHeader(String(line[..<colon]), String(value)))
        }
        request.body = Array(buffer[(headEnd! + 4)...])
        let length = Int(request.header("Content-Length") ?? "0") ?? 0
        while request.body.count < length {
            guard let piece = receive() else { return nil }
            request.body += piece
        }
        return request
    }

    /// Writes all of `bytes`; false once the peer has gone (no SIGPIPE: `MSG_NOSIGNAL`).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// One chunk of a `Transfer-Encoding: chunked` body, in one write.
    @discardableResult
    func sendChunk(_ text: String) -> Bool {
        send(String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
    }

    /// The last chunk.
    func endChunks() { send("0\r\n\r\n") }

    private func receive() -> [UInt8]? {
        var piece = [UInt8](repeating: 0, count: 65_536)
        let count = piece.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(piece[..<count]) : nil
    }
}

/// A failure of the test's own plumbing.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits for `semaphore`, giving up after 30 s: the other side is stuck. A safety net, not a speed assertion.
func waitPatiently(_ semaphore: DispatchSemaphore) -> Bool {
    semaphore.wait(timeout: .now() + .seconds(30)) == .success
}
