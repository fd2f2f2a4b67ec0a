// Every socket call of the stand-in: a listener on 127.0.0.1 and the calls one connection's thread makes.
// Threading rule: a connection's fd is used by its own thread only; `StandInServer.stop()` may additionally call
// `shutdown` on it (under the server's lock, before the owner closes it), which wakes every blocked call below.
internal import Glibc

/// Linux `POLLRDHUP` (peer closed its side), which Glibc's Swift overlay does not export.
private let pollPeerClosed: Int16 = 0x2000

/// Opens a listening TCP socket on 127.0.0.1:`port` (0: an ephemeral port); returns it and the bound port.
func listenOnLoopback(port: Int, backlog: Int32 = 1024) throws(StandInError) -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw StandInError("socket") }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let failure: String? = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            if bind(fd, generic, length) != 0 { return "bind 127.0.0.1:\(port)" }
            if listen(fd, backlog) != 0 { return "listen" }
            if getsockname(fd, generic, &length) != 0 { return "getsockname" }
            return nil
        }
    }
    if let failure {
        let code = errno
        close(fd)
        throw StandInError(failure, code: code)
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// Accepts one connection (`accept`), close-on-exec and with Nagle off so each event leaves at once.
/// Nil when the listener fails; `retry` tells whether accepting again makes sense.
func acceptConnection(_ listener: Int32) -> (fd: Int32?, retry: Bool) {
    let fd = accept(listener, nil, nil)
    guard fd >= 0 else {
        let code = errno
        if code == EMFILE || code == ENFILE { sleepThread(seconds: 0.01) }
        return (nil, code == EINTR || code == ECONNABORTED || code == EMFILE || code == ENFILE)
    }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    var yes: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
    return (fd, true)
}

/// Wakes every call blocked on `fd` (`shutdown(SHUT_RDWR)`); used by `stop()` on listeners and connections.
func shutDown(_ fd: Int32) { shutdown(fd, Int32(SHUT_RDWR)) }

/// Closes a listener (`close`).
func closeListener(_ fd: Int32) { close(fd) }

/// One accepted connection, used by its own thread.
struct Connection {
    let fd: Int32

    /// Reads what has arrived (`recv`), blocking until something does; nil at end of stream or on error.
    func receive(max: Int = 16_384) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { return Array(buffer[..<count]) }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Writes all of `bytes` (`send` with `MSG_NOSIGNAL`); false once the peer has gone or the server stopped.
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// Sleeps until the monotonic clock reaches `deadline` (nil: forever) while watching the socket (`poll`);
    /// false as soon as the peer closes or the socket is shut down. Bytes the peer sends meanwhile are discarded.
    func pause(until deadline: UInt64?) -> Bool {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let now = monotonicNanoseconds()
                if now >= deadline { return true }
                timeout = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            }
            var entry = pollfd(fd: fd, events: Int16(POLLIN) | pollPeerClosed, revents: 0)
            let ready = poll(&entry, 1, timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return false }
            if ready == 0 { continue }
            let gone = Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL) | pollPeerClosed
            if entry.revents & gone != 0 { return false }
            var scratch = [UInt8](repeating: 0, count: 4096)
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { return false }
        }
    }

    /// Ends the response politely: half-close (`shutdown(SHUT_WR)`), then read until the peer closes (at most
    /// one second), so that unread request bytes cannot turn the later `close` into a reset that eats the response.
    func finishGracefully() {
        shutdown(fd, Int32(SHUT_WR))
        _ = pause(until: monotonicNanoseconds() + 1_000_000_000)
    }

    /// Makes the coming `close` a TCP reset rather than a FIN (`SO_LINGER` with zero linger).
    func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Releases the socket (`close`).
    func close() { _ = Glibc.close(fd) }
}
