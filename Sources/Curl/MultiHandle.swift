// The raw calls of libcurl's multi interface (`curl_multi_*`). Threading rule: one thread drives a multi handle
// and every easy handle in it (their callbacks run on that thread, inside `curl_multi_perform`); the one call
// safe from any other thread is `curl_multi_wakeup`.
internal import CCurl
internal import CShim

/// One `CURLM *`, released in `deinit`.
final class MultiHandle: @unchecked Sendable {
    // @unchecked: `pointer` is used only by the driving thread, except for `wakeup()`, which libcurl allows
    // from any thread.
    private let pointer: UnsafeMutableRawPointer

    /// `curl_multi_init`, after `curl_global_init`.
    init() throws(CurlError) {
        try EasyHandle.initializeGlobally()
        guard let pointer = curl_multi_init() else {
            throw CurlError(code: .failedInit, message: "curl_multi_init failed", url: "")
        }
        self.pointer = pointer
    }

    deinit { curl_multi_cleanup(pointer) }

    /// `curl_multi_add_handle`.
    func add(_ easy: EasyHandle) -> Bool { curl_multi_add_handle(pointer, easy.pointer) == CURLM_OK }

    /// `curl_multi_remove_handle`: the transfer stops and its connection closes (or returns to the pool).
    func remove(_ easy: EasyHandle) { _ = curl_multi_remove_handle(pointer, easy.pointer) }

    /// `curl_multi_perform`: moves every transfer along as far as it can without waiting.
    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(pointer, &running)
    }

    /// `curl_multi_poll`: waits until a socket is ready, `wakeup()` is called, or `milliseconds` pass.
    func poll(milliseconds: Int32) {
        _ = curl_multi_poll(pointer, nil, 0, milliseconds, nil)
    }

    /// `curl_multi_wakeup`: ends a `poll` early. Safe from any thread.
    func wakeup() { _ = curl_multi_wakeup(pointer) }

    /// `curl_multi_info_read`: the transfers that finished since the last call, with their result codes.
    func finished() -> [(easy: UnsafeMutableRawPointer, code: CurlError.Code)] {
        var done: [(easy: UnsafeMutableRawPointer, code: CurlError.Code)] = []
        var queued: Int32 = 0
        while let message = curl_multi_info_read(pointer, &queued) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, CurlError.Code(message.pointee.data.result)))
            }
        }
        return done
    }
}
