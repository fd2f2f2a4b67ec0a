// Waking the subscriber's thread from another one: a pipe whose read end `poll` watches beside the Redis socket
// (the self-pipe trick). `subscribe`, `unsubscribe` and `stop` write a byte; the thread drains the pipe and looks at
// what changed. No timeout loop: the thread sleeps in `poll` until Redis sends something, a caller wakes it, or its
// health check is due.
#if canImport(Glibc)
internal import Glibc
#endif

/// A pipe for waking one thread that waits in `poll`.
final class Wakeup: @unchecked Sendable {
    // @unchecked: two file descriptors, fixed from init to deinit; write(2) and read(2) on a pipe are thread-safe.
    private let readEnd: Int32
    private let writeEnd: Int32

    /// A non-blocking, close-on-exec pipe (`pipe`, `fcntl`; Glibc's Swift module does not declare `pipe2`).
    init() {
        var ends: [Int32] = [0, 0]
        let made = pipe(&ends)
        precondition(made == 0, "pipe failed (errno \(errno)): the process is out of file descriptors")
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the waiting thread (a full pipe means it is woken already).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe, so that the next `wait` sleeps again.
    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }

    /// What `wait` saw.
    struct Readiness {
        /// The socket has bytes, or was closed or failed (a read will say which).
        var socket = false
        /// `signal` was called.
        var woken = false
    }

    /// Sleeps until `socket` (when given) is readable, `signal` is called, or `timeout` passes (nil: no limit).
    func wait(socket: Int32?, timeout: Duration?) -> Readiness {
        var fds = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        if let socket { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        // Rounded up, so that a wait for less than a millisecond does not return at once and spin.
        let milliseconds = timeout.map { max(0, Int32(clamping: $0.components.seconds * 1000
            + ($0.components.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)) } ?? -1
        guard poll(&fds, nfds_t(fds.count), milliseconds) > 0 else { return Readiness() }  // timeout, or EINTR
        return Readiness(socket: fds.count > 1 && fds[1].revents != 0, woken: fds[0].revents != 0)
    }
}
