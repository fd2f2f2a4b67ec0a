// The server: a listener thread that accepts, and one detached thread per connection.
import Glibc
import Locking

/// A stand-in for an OpenAI-compatible server on 127.0.0.1, for tests and benchmarks: it answers `/v1/models`,
/// `/v1/chat/completions` (whole or streamed) and `/v1/embeddings` in OpenAI's formats, and injects faults a
/// request asks for with `X-Standin-Fault: <spec>` or `[standin:<spec>]` in its last user message.
///
/// One thread accepts; each connection gets its own thread (512 KiB stack), reads one request, answers it and
/// closes (`Connection: close`). Pacing sleeps happen in `poll` on the connection's socket, never under a lock,
/// so a client that leaves mid-stream is noticed at once. Call `stop()` when done: the threads keep the server
/// alive until then.
public final class StandInServer: @unchecked Sendable {
    // @unchecked: `lock` guards every field of `state`. Nothing blocking happens under it; `stop()` calls the
    // non-blocking `shutdown` on registered sockets under it, and a connection's thread unregisters its socket
    // under it before closing, so `stop()` never touches a reused descriptor. `threads` synchronises itself.
    private let lock = Lock()
    private var state = State()
    private let threads = ThreadGroup()

    /// What the server serves.
    public let configuration: StandInConfiguration

    private struct State {
        var phase = Phase.idle
        var port = 0
        var requests: [RecordedRequest] = []
        var openStreams = 0
        var abandonedStreams = 0
        var completedStreams = 0
        /// Requests seen per fault spec text, for `times=`.
        var faultUses: [String: Int] = [:]
        /// Sockets of live connections, by connection number.
        var connections: [Int: Int32] = [:]
        var nextConnection = 0
    }

    private enum Phase {
        case idle
        case running(listener: Int32, acceptor: SpawnedThread)
        case stopped
    }

    /// A server that will serve `configuration` once started.
    public init(configuration: StandInConfiguration = StandInConfiguration()) {
        self.configuration = configuration
    }

    /// Binds 127.0.0.1 on the configured port (0: a free one), starts accepting, and returns the bound port.
    /// Calling it while running returns the port again.
    @discardableResult
    public func start() throws(StandInError) -> Int {
        try lock.withLock { () throws(StandInError) -> Int in
            if case .running = state.phase { return state.port }
            let (listener, port) = try listenOnLoopback(port: configuration.port)
            guard let acceptor = spawnThread({ [self] in acceptLoop(listener) }) else {
                closeListener(listener)
                throw StandInError("pthread_create", code: 0)
            }
            state.phase = .running(listener: listener, acceptor: acceptor)
            state.port = port
            return port
        }
    }

    /// Stops accepting, shuts every connection down (streams end at once, stalls wake), and waits until every
    /// connection's thread has finished. Recorded requests and counters stay readable.
    public func stop() {
        let running = lock.withLock { () -> (listener: Int32, acceptor: SpawnedThread)? in
            guard case .running(let listener, let acceptor) = state.phase else { return nil }
            state.phase = .stopped
            shutDown(listener)
            for fd in state.connections.values { shutDown(fd) }
            return (listener, acceptor)
        }
        guard let running else { return }
        running.acceptor.join()
        closeListener(running.listener)
        threads.waitForAll()
    }

    /// The bound port (0 before `start()`; the last one after `stop()`).
    public var port: Int { lock.withLock { state.port } }

    /// Every request received, in arrival order (including rejected ones, once their head and body were read).
    public var requests: [RecordedRequest] { lock.withLock { state.requests } }

    /// Streams currently being written (including stalled ones).
    public var openStreams: Int { lock.withLock { state.openStreams } }

    /// Streams that ended because the client went away before the server finished them.
    public var abandonedStreams: Int { lock.withLock { state.abandonedStreams } }

    /// Streams that ended as the server meant them to (normally, or by an injected cut or error).
    public var completedStreams: Int { lock.withLock { state.completedStreams } }

    /// Forgets the recorded requests and the `times=` counts.
    public func clearRequests() {
        lock.withLock {
            state.requests = []
            state.faultUses = [:]
        }
    }

    /// Polls `condition` every 2 ms until it holds (true) or `timeout` seconds pass (false).
    @discardableResult
    public func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = monotonicNanoseconds() + UInt64(timeout * 1e9)
        while !condition() {
            if monotonicNanoseconds() >= deadline { return false }
            sleepThread(seconds: 0.002)
        }
        return true
    }

    // MARK: Connections

    private func acceptLoop(_ listener: Int32) {
        while true {
            let (accepted, retry) = acceptConnection(listener)
            guard let fd = accepted else {
                if retry && isRunning { continue }
                return
            }
            let number = lock.withLock { () -> Int? in
                guard case .running = state.phase else { return nil }
                state.nextConnection += 1
                state.connections[state.nextConnection] = fd
                return state.nextConnection
            }
            guard let number else {
                Connection(fd: fd).close()
                return
            }
            let started = threads.spawn { [self] in serve(Connection(fd: fd), number: number) }
            if !started { finish(Connection(fd: fd), number: number, ending: .reset) }
        }
    }

    private func serve(_ connection: Connection, number: Int) {
        let ending: Ending
        do throws(RequestFailure) {
            let request = try connection.readRequest()
            lock.withLock { state.requests.append(request) }
            ending = respond(to: request, on: connection)
        } catch {
            switch error {
            case .closed: ending = .abrupt
            case .rejected(let failure):
                connection.send(failure)
                ending = .graceful
            }
        }
        finish(connection, number: number, ending: ending)
    }

    private func finish(_ connection: Connection, number: Int, ending: Ending) {
        switch ending {
        case .graceful: connection.finishGracefully()
        case .abrupt: break
        case .reset: connection.resetOnClose()
        }
        lock.withLock { state.connections[number] = nil }
        connection.close()
    }

    // MARK: For the routes

    /// Whether the server is running (false once `stop()` began).
    var isRunning: Bool {
        lock.withLock {
            if case .running = state.phase { return true }
            return false
        }
    }

    /// Counts one more request carrying the fault spec `text`; returns the count including this one.
    func countFaultUse(_ text: String) -> Int {
        lock.withLock {
            state.faultUses[text, default: 0] += 1
            return state.faultUses[text]!
        }
    }

    func streamStarted() { lock.withLock { state.openStreams += 1 } }

    /// Ends the count of an open stream; `clientLeft` counts it abandoned unless the server is stopping.
    func streamEnded(clientLeft: Bool) {
        lock.withLock {
            state.openStreams -= 1
            if !clientLeft {
                state.completedStreams += 1
            } else if case .running = state.phase {
                state.abandonedStreams += 1
            }
        }
    }
}

/// How a connection ends once its response is written.
enum Ending {
    /// Half-close, wait for the peer to close, then close.
    case graceful
    /// Close at once (a FIN).
    case abrupt
    /// Close at once with a TCP reset.
    case reset
}
