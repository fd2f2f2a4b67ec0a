// A blocking TCP connection to 127.0.0.1 for tests, with reads that wait on poll() up to a deadline.
#if canImport(Glibc)
import Glibc
#endif

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

struct ConnectionClosed: Error {}

final class TCPConnection {
    let fd: Int32
    private(set) var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` shrinks the kernel's receive buffer (for slow-reader tests);
    /// `source` is the loopback address to connect from (any of 127.0.0.0/8), to play another client.
    init(port: Int, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionClosed() }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                Glibc.close(fd)
                throw ConnectionClosed()
            }
        }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw ConnectionClosed()
        }
    }

    deinit { Glibc.close(fd) }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ConnectionClosed() }
            sent += n
        }
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Reads more bytes into the buffer, waiting up to `seconds`. Throws ConnectionClosed at end of stream.
    func fill(seconds: Double, what: String) throws {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(seconds * 1000))
        guard ready > 0 else { throw TestTimeout(what: what) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw ConnectionClosed() }
        buffer.append(contentsOf: chunk[0..<n])
    }

    /// Takes `count` bytes from the buffer, reading as needed.
    func take(_ count: Int, seconds: Double = 10, what: String = "data") throws -> [UInt8] {
        let deadline = now() + seconds
        while buffer.count < count { try fill(seconds: max(0.01, deadline - now()), what: what) }
        let out = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return out
    }

    /// Reads until the stream ends, returning everything.
    func readToEnd(seconds: Double = 10) throws -> [UInt8] {
        let deadline = now() + seconds
        while true {
            do { try fill(seconds: max(0.01, deadline - now()), what: "end of stream") } catch is ConnectionClosed { break }
        }
        defer { buffer = [] }
        return buffer
    }

    /// Takes bytes up to and including `delimiter`.
    func take(until delimiter: [UInt8], seconds: Double = 10) throws -> [UInt8] {
        let deadline = now() + seconds
        while true {
            if let range = buffer.firstRange(of: delimiter) {
                let out = Array(buffer[..<range.upperBound])
                buffer.removeFirst(range.upperBound)
                return out
            }
            try fill(seconds: max(0.01, deadline - now()), what: "delimiter")
        }
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Polls `condition` until it holds or `seconds` pass.
func waitFor(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
    let deadline = now() + seconds
    while try !condition() {
        guard now() < deadline else { throw TestTimeout(what: what) }
        usleep(2000)
    }
}
