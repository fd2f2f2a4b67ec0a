// Raw process plumbing, outside main.swift so that none of it is main-actor isolated: the stdin watcher's
// thread must not run code the runtime believes belongs to the main actor.
import Glibc

/// Writes `text` and a newline straight to `fd` (`write`), with no stdio buffer to flush.
func writeLine(_ fd: Int32, _ text: String) {
    let bytes = Array((text + "\n").utf8)
    var sent = 0
    while sent < bytes.count {
        let count = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { return }
        sent += count
    }
}

/// Starts a thread that reads stdin (`read`) until end of file or error, then sends this process SIGTERM.
func terminateAtEndOfStdin() {
    var reader = pthread_t()
    pthread_create(&reader, nil, { _ in
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count > 0 || (count < 0 && errno == EINTR) { continue }
            break
        }
        kill(getpid(), SIGTERM)
        return nil
    }, nil)
}
