// The raw calls of libcurl's multi interface, in its socket form: libcurl says which sockets to watch and when
// its timer runs out (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); one epoll set watches them, and
// `curl_multi_socket_action` moves only the transfers whose sockets are ready. So the cost of a token does not
// grow with the number of open streams, as it does with `curl_multi_poll`, which polls every socket every time.
//
// Threading rule: one thread drives a multi handle and every easy handle in it (their callbacks run on that
// thread, inside `curl_multi_socket_action`); the one thing other threads may do is `wakeup()`, an eventfd write.
// Its raw libcurl calls go through `LibCurl` (LibCurl.swift).
internal import CCurl
// epoll and eventfd, which Glibc does not bring in.
internal import CShim
#if canImport(Glibc)
internal import Glibc
#endif

/// One `CURLM *` with its epoll set and wake-up eventfd, released in `deinit`.
final class MultiHandle: @unchecked Sendable {
    // @unchecked: everything but `wakeFD` is used only by the driving thread; writing to an eventfd is safe from
    // any thread.
    private let pointer: UnsafeMutableRawPointer
    private let curl: LibCurl
    private let epoll: Int32
    private let wakeFD: Int32
    private var watched: Set<Int32> = []
    /// When libcurl wants `socketAction(timeout:)` next; nil for never.
    private var timerDeadline: ContinuousClock.Instant?

    /// `curl_multi_init`, after loading libcurl and `curl_global_init`, with an epoll set and an eventfd for
    /// `wakeup()`.
    init() throws(CurlError) {
        curl = try LibCurl.shared()
        guard let pointer = curl.multiInit() else {
            throw CurlError(code: .failedInit, message: "curl_multi_init failed", url: "")
        }
        self.pointer = pointer
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wakeFD >= 0 else {
            curl.multiCleanup(pointer)
            throw CurlError(code: .failedInit, message: "epoll_create1 or eventfd failed", url: "")
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeFD, &event)
    }

    /// Points libcurl's socket and timer callbacks at this object; call once, when it has its final address.
    func attachCallbacks() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = curl.multiSetopt(pointer, socket: curlSocketCallback)
        _ = curl.multiSetopt(pointer, CURLMOPT_SOCKETDATA, pointer: me)
        _ = curl.multiSetopt(pointer, timer: curlTimerCallback)
        _ = curl.multiSetopt(pointer, CURLMOPT_TIMERDATA, pointer: me)
    }

    deinit {
        curl.multiCleanup(pointer)
        close(epoll)
        close(wakeFD)
    }

    /// `curl_multi_add_handle`.
    func add(_ easy: EasyHandle) -> Bool { curl.multiAdd(pointer, easy.pointer) == CURLM_OK }

    /// `curl_multi_remove_handle`: the transfer stops and its connection closes (or returns to the pool).
    func remove(_ easy: EasyHandle) { _ = curl.multiRemove(pointer, easy.pointer) }

    /// Waits up to `limit` for a watched socket, libcurl's timer or a `wakeup()`, and lets libcurl act on what
    /// happened (`epoll_wait`, `curl_multi_socket_action`).
    func wait(limit: Duration) {
        var timeout = limit
        if let deadline = timerDeadline { timeout = max(.zero, min(timeout, deadline - .now)) }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        let milliseconds = Int32((timeout / .milliseconds(1)).rounded(.up))
        let count = epoll_wait(epoll, &events, Int32(events.count), milliseconds)
        var running: Int32 = 0
        for event in events.prefix(max(0, Int(count))) {
            let fd = event.data.fd
            if fd == wakeFD {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
                continue
            }
            var mask: Int32 = 0
            if event.events & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
            if event.events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
            if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
            _ = curl.multiSocketAction(pointer, fd, mask, &running)
        }
        if let deadline = timerDeadline, deadline <= .now {
            timerDeadline = nil
            _ = curl.multiSocketAction(pointer, CURL_SOCKET_BAD, 0, &running)
        }
    }

    /// Lets libcurl act on its timer now; after adding a handle, this starts it.
    func kick() {
        var running: Int32 = 0
        _ = curl.multiSocketAction(pointer, CURL_SOCKET_BAD, 0, &running)
    }

    /// Ends a `wait` early (an eventfd write). Safe from any thread.
    func wakeup() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// `curl_multi_info_read`: the transfers that finished since the last call, with their result codes.
    func finished() -> [(easy: UnsafeMutableRawPointer, code: CurlError.Code)] {
        var done: [(easy: UnsafeMutableRawPointer, code: CurlError.Code)] = []
        var queued: Int32 = 0
        while let message = curl.multiInfoRead(pointer, &queued) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, CurlError.Code(message.pointee.data.result)))
            }
        }
        return done
    }

    // MARK: From libcurl's callbacks

    /// libcurl wants `fd` watched for `what` (CURL_POLL_IN, _OUT, _INOUT) or no longer (CURL_POLL_REMOVE).
    fileprivate func watch(_ fd: Int32, _ what: Int32) {
        guard what != CURL_POLL_REMOVE else {
            if watched.remove(fd) != nil { epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil) }
            return
        }
        var event = epoll_event()
        event.events = (what & CURL_POLL_IN != 0 ? EPOLLIN.rawValue : 0) | (what & CURL_POLL_OUT != 0 ? EPOLLOUT.rawValue : 0)
        event.data.fd = fd
        let operation = watched.insert(fd).inserted ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        epoll_ctl(epoll, operation, fd, &event)
    }

    /// libcurl wants its timer in `milliseconds` (-1: cancel it).
    fileprivate func setTimer(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : .now + .milliseconds(milliseconds)
    }
}

/// `CURLMOPT_SOCKETFUNCTION`.
private func curlSocketCallback(
    _ easy: UnsafeMutableRawPointer?, _ socket: curl_socket_t, _ what: Int32,
    _ userp: UnsafeMutableRawPointer?, _ socketp: UnsafeMutableRawPointer?
) -> Int32 {
    Unmanaged<MultiHandle>.fromOpaque(userp!).takeUnretainedValue().watch(socket, what)
    return 0
}

/// `CURLMOPT_TIMERFUNCTION`.
private func curlTimerCallback(_ multi: UnsafeMutableRawPointer?, _ milliseconds: Int, _ userp: UnsafeMutableRawPointer?) -> Int32 {
    Unmanaged<MultiHandle>.fromOpaque(userp!).takeUnretainedValue().setTimer(milliseconds)
    return 0
}
