// A small HTTP/1.1 client over POSIX sockets, so that tests see exactly the bytes the stand-in writes.
import Glibc
import JSON

/// What one `read` saw.
enum ReadResult: Equatable {
    case data([UInt8])
    /// The server closed (FIN).
    case closed
    /// The server reset the connection (RST).
    case reset
    /// Nothing arrived within the wait.
    case timeout
}

/// One connection to 127.0.0.1.
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { Glibc.close(fd); throw TestFailure("connect failed: errno \(errno)") }
    }

    private var closed = false

    deinit { close() }

    /// Closes the connection: the client goes away.
    func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestFailure("send failed: errno \(errno)") }
            sent += count
        }
    }

    /// Sends a request with `Content-Length` (and no `Connection: close`: the server closes anyway).
    func sendRequest(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method == "POST" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
    }

    /// Waits up to `timeout` seconds for bytes (`poll`, then `recv`).
    func read(timeout: Double = 30) -> ReadResult {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { return .timeout }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .data(Array(buffer[..<count])) }
        return count == 0 ? .closed : .reset
    }

    /// Reads until the server closes; `reads` counts the reads that returned data.
    func readToEnd(timeout: Double = 30) throws -> (bytes: [UInt8], reads: Int, ending: ReadResult) {
        var bytes: [UInt8] = []
        var reads = 0
        while true {
            switch read(timeout: timeout) {
            case .data(let piece):
                bytes += piece
                reads += 1
            case .timeout: throw TestFailure("no end of response within \(timeout) s")
            case let ending: return (bytes, reads, ending)
            }
        }
    }

    /// Reads a whole response.
    func readResponse() throws -> RawResponse {
        let (bytes, reads, ending) = try readToEnd()
        return try RawResponse(bytes, reads: reads, ending: ending)
    }

    /// Reads until `bytes` contains `marker`, returning everything read so far.
    func read(until marker: String, timeout: Double = 30) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let wanted = Array(marker.utf8)
        while !bytes.contains(wanted) {
            guard case .data(let piece) = read(timeout: timeout) else { throw TestFailure("ended before \(marker)") }
            bytes += piece
        }
        return bytes
    }
}

/// A response read to the end of its connection.
struct RawResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Reads that returned data, head included.
    var reads: Int
    /// How the connection ended: `.closed` or `.reset`.
    var ending: ReadResult

    init(_ bytes: [UInt8], reads: Int, ending: ReadResult) throws {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { throw TestFailure("no response head") }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("bad status line") }
        self.status = status
        headers = lines.dropFirst().map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        body = Array(bytes[end.upperBound...])
        self.reads = reads
        self.ending = ending
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}

/// Sends one request and reads the response to the end.
func request(
    _ port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []
) throws -> RawResponse {
    let connection = try RawConnection(port: port)
    try connection.sendRequest(method, path, headers: headers, body: body)
    return try connection.readResponse()
}

/// A failure of the test's own plumbing.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
