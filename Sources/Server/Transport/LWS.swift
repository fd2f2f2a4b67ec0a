// Every raw libwebsockets call the server makes, in one place.
//
// libwebsockets' threading rule: one service thread runs the context and every callback; `lws_write` only inside
// a writeable callback; the one call that is safe from another thread is `lws_cancel_service`.
internal import Contracts
internal import CShim
internal import CWebSockets

/// A connection handle (`struct lws *`), valid only during the callback it arrived in.
struct WSI {
    let raw: OpaquePointer

    /// The handle's address, as a key for what is noted about it between callbacks.
    var key: Int { Int(bitPattern: UnsafeRawPointer(raw)) }

    /// A request header (`lws_hdr_copy`), or nil if absent or longer than `limit` (by default, all the header
    /// space a request has: a `Cookie` header carrying other apps' cookies beside ours can pass 4 KiB).
    func header(_ token: lws_token_indexes, limit: Int = LWS.maxHeaderBytes) -> String? {
        let length = Int(lws_hdr_total_length(raw, token))
        guard length > 0, length <= limit else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_copy(raw, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A request header lws has no token for (`lws_hdr_custom_length`, `lws_hdr_custom_copy`); `name` in lower
    /// case, without the colon. Nil if absent or longer than `limit`.
    func customHeader(_ name: String, limit: Int = 256) -> String? {
        let key = Array((name + ":").utf8CString.dropLast())
        let length = Int(lws_hdr_custom_length(raw, key, Int32(key.count)))
        guard length > 0, length <= limit else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_custom_copy(raw, &buffer, Int32(buffer.count), key, Int32(key.count)) >= 0 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The request's `Content-Length`, when it gives one that is a number of bytes.
    var contentLength: Int? {
        header(WSI_TOKEN_HTTP_CONTENT_LENGTH, limit: 20).flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// The request's `Content-Type`, in lower case ("" when it gives none).
    var contentType: String { header(WSI_TOKEN_HTTP_CONTENT_TYPE, limit: 256)?.lowercased() ?? "" }

    /// Whether the connection is TLS (`lws_is_ssl`).
    var isTLS: Bool { lws_is_ssl(raw) != 0 }

    /// Whether the request carries `token` at all (used for the method: `WSI_TOKEN_GET_URI` and friends).
    func has(_ token: lws_token_indexes) -> Bool { lws_hdr_total_length(raw, token) > 0 }

    /// The peer's address (`lws_get_peer_simple`); an IPv4 peer of a dual-stack socket is written as IPv4
    /// (`127.0.0.1`, not `::ffff:127.0.0.1`), as people write it in settings.
    var peer: String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard lws_get_peer_simple(raw, &buffer, buffer.count) != nil else { return "?" }
        let address = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let mapped = "::ffff:"
        if address.hasPrefix(mapped), address.contains(".") { return String(address.dropFirst(mapped.count)) }
        return address
    }

    /// Starts refusing frames without the mask bit on this new WebSocket (RFC 6455 §5.1): CShim's `recv`, which
    /// lws reads with, fails the connection at the first one (`quarry_ws_mask_watch` on `lws_get_socket_fd`).
    /// Only for plain TCP: through TLS the bytes read are not frames.
    func refuseUnmaskedFrames() {
        guard !isTLS else { return }
        _ = quarry_ws_mask_watch(lws_get_socket_fd(raw))
    }

    /// Stops that, before lws closes the socket; true if the connection failed for an unmasked frame
    /// (`quarry_ws_mask_unwatch`).
    func stopRefusingUnmaskedFrames() -> Bool { quarry_ws_mask_unwatch(lws_get_socket_fd(raw)) != 0 }

    /// Asks for a writeable callback (`lws_callback_on_writable`).
    func requestWriteable() { lws_callback_on_writable(raw) }

    /// Sets the close code and reason sent when the callback then returns -1 (`lws_close_reason`).
    func setCloseReason(_ code: UInt16, _ reason: String) {
        var bytes = Array(reason.utf8.prefix(120))
        lws_close_reason(raw, lws_close_status(UInt32(code)), &bytes, bytes.count)
    }

    /// Drops the connection at the next chance, without a close handshake (`lws_set_timeout` with
    /// `LWS_TO_KILL_ASYNC`): for a peer that does not read.
    func kill() { lws_set_timeout(raw, PENDING_TIMEOUT_USER_OK, -1) }

    /// Drops the connection unless `clearDeadline()` comes within `seconds` (`lws_set_timeout`).
    func setDeadline(seconds: Int32) { lws_set_timeout(raw, PENDING_TIMEOUT_USER_OK, seconds) }

    /// Asks for one `LWS_CALLBACK_TIMER` on this connection in `seconds` (`lws_set_timer_usecs`); independent of
    /// `setDeadline`.
    func setTimer(seconds: Int) { lws_set_timer_usecs(raw, lws_usec_t(seconds) * 1_000_000) }

    /// Cancels a deadline set with `setDeadline` (`lws_set_timeout` with `NO_PENDING_TIMEOUT`).
    func clearDeadline() { lws_set_timeout(raw, NO_PENDING_TIMEOUT, 0) }

    /// Whether the message being received ends with this piece (`lws_is_final_fragment` and
    /// `lws_remaining_packet_payload`).
    var isMessageComplete: Bool { lws_is_final_fragment(raw) != 0 && lws_remaining_packet_payload(raw) == 0 }
    /// Bytes still to come in the current frame (`lws_remaining_packet_payload`).
    var remainingInFrame: Int { Int(clamping: lws_remaining_packet_payload(raw)) }
    /// Whether the current frame is binary (`lws_frame_is_binary`).
    var isBinary: Bool { lws_frame_is_binary(raw) != 0 }
    /// Whether the frame being read is the last of its message and all its payload is read: its FIN is set
    /// and lws is not still inflating an earlier piece of it (`lws_is_final_fragment`).
    var isLastFrameRead: Bool { lws_is_final_fragment(raw) != 0 }
    /// Whether the current frame has RSV1, which permessage-deflate sets on a compressed message's first frame
    /// (`lws_get_reserved_bits`).
    var isCompressedFrame: Bool { lws_get_reserved_bits(raw) & 0x40 != 0 }

    /// Writes one text frame; `buffer` holds `LWS.pre` bytes of headroom before the payload (`lws_write`).
    func writeText(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        lws_write(raw, buffer + LWS.pre, count, LWS_WRITE_TEXT) >= count
    }

    /// Writes bytes that are already a whole WebSocket frame, header included (`lws_write` with
    /// `LWS_WRITE_RAW`: no framing, no extension); `buffer` holds `LWS.pre` bytes of headroom before them.
    func writeRaw(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        lws_write(raw, buffer + LWS.pre, count, LWS_WRITE_HTTP) >= count
    }

    /// Writes HTTP body bytes (`lws_write` with `LWS_WRITE_HTTP` / `LWS_WRITE_HTTP_FINAL`).
    func writeHTTP(_ buffer: UnsafeMutablePointer<UInt8>, count: Int, final: Bool) -> Bool {
        lws_write(raw, buffer + LWS.pre, count, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) >= count
    }

    /// Writes a response's status line and headers (`lws_add_http_common_headers`,
    /// `lws_add_http_header_by_name`, `lws_finalize_write_http_header`).
    func writeHeaders(_ response: HTTPResponse, extra: [(name: String, value: String)]) -> Bool {
        let capacity = 4096
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: LWS.pre + capacity)
        defer { buffer.deallocate() }
        let start = buffer + LWS.pre
        let end = start + capacity - 1
        var p: UnsafeMutablePointer<UInt8>? = start
        guard lws_add_http_common_headers(raw, UInt32(response.status), response.contentType,
                                          lws_filepos_t(response.contentLength), &p, end) == 0
        else { return false }
        for (name, value) in response.headers + extra {
            let nameBytes = Array((name + ":").utf8) + [0]
            let valueBytes = Array(value.utf8)
            guard lws_add_http_header_by_name(raw, nameBytes, valueBytes, Int32(valueBytes.count), &p, end) == 0
            else { return false }
        }
        return lws_finalize_write_http_header(raw, start, &p, end) == 0
    }

    /// Answers a request that will not be served with a bare status page holding `message`
    /// (`lws_return_http_status`); the caller then closes the connection.
    func refuse(status: Int, message: String? = nil) {
        guard let message else {
            _ = lws_return_http_status(raw, UInt32(status), nil)
            return
        }
        _ = message.withCString { lws_return_http_status(raw, UInt32(status), $0) }
    }

    /// Ends an HTTP transaction; false when the connection must close (`lws_http_transaction_completed`).
    func completeTransaction() -> Bool { lws_http_transaction_completed(raw) == 0 }

    /// Sets one of lws' permessage-deflate settings for this connection (`lws_set_extension_option`); false when
    /// the extension is not active on it. `name` must be one lws knows: it looks names up without a bound.
    func setDeflateOption(_ name: String, _ value: Int) -> Bool {
        lws_set_extension_option(raw, DeflateOffer.extensionName, name, String(value)) == 0
    }

    /// The id kept in lws' per-connection memory (0 when none yet).
    static func connectionID(in user: UnsafeMutableRawPointer?) -> ConnectionID {
        user?.load(as: ConnectionID.self) ?? 0
    }

    static func setConnectionID(_ id: ConnectionID, in user: UnsafeMutableRawPointer?) {
        user?.storeBytes(of: id, as: ConnectionID.self)
    }
}

/// The WebSocket handshake response lws is writing, as `LWS_CALLBACK_ADD_HEADERS` sees it
/// (`struct lws_process_html_args`): `p` is where the next header line would go, right after the CRLF that ends
/// the line lws wrote last.
struct HandshakeResponse {
    let args: UnsafeMutablePointer<lws_process_html_args>

    /// The header line written last, without its CRLF; nil if there is none to be found.
    var lastLine: String? {
        guard let end = lineEnd else { return nil }
        // Every line of the response, the status line first, ends with CRLF: the scan stops at the one before.
        var start = end
        while end - start < 512, (start - 1).pointee != 0x0a { start -= 1 }
        guard (start - 1).pointee == 0x0a else { return nil }
        return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
    }

    /// Appends `text` to the last line, before its CRLF; false if it does not fit.
    func appendToLastLine(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return true }
        guard let end = lineEnd, bytes.count + 2 < Int(args.pointee.max_len) else { return false }
        end.update(from: bytes, count: bytes.count)
        (end + bytes.count).update(from: [0x0d, 0x0a], count: 2)
        args.pointee.p = UnsafeMutableRawPointer(end + bytes.count + 2).assumingMemoryBound(to: CChar.self)
        args.pointee.max_len -= Int32(bytes.count)
        return true
    }

    /// Where the CRLF of the last line starts.
    private var lineEnd: UnsafeMutablePointer<UInt8>? {
        guard let p = args.pointee.p else { return nil }
        let next = UnsafeMutableRawPointer(p).assumingMemoryBound(to: UInt8.self)
        guard (next - 2).pointee == 0x0d, (next - 1).pointee == 0x0a else { return nil }
        return next - 2
    }
}

/// lws' permessage-deflate extension, called from `quarryDeflateExtension` with what lws passed it.
struct DeflateExtensionCall {
    let context: OpaquePointer?
    let ext: UnsafePointer<lws_extension>?
    let wsi: OpaquePointer?
    let reason: lws_extension_callback_reasons
    let user: UnsafeMutableRawPointer?
    let input: UnsafeMutableRawPointer?
    let length: Int

    /// The connection, when the call is about one.
    var handle: WSI? { wsi.map(WSI.init(raw:)) }

    /// Whether this is the extension being handed received payload to inflate (`LWS_EXT_CB_PAYLOAD_RX`).
    var isPayloadReceived: Bool { reason == LWS_EXT_CB_PAYLOAD_RX }
    /// Whether the extension is being freed with its connection (`LWS_EXT_CB_DESTROY`).
    var isDestroy: Bool { reason == LWS_EXT_CB_DESTROY }

    /// The payload this `LWS_EXT_CB_PAYLOAD_RX` brings, nil for a drain call (`quarry_pmd_rx_payload`).
    var payload: UnsafeMutableBufferPointer<UInt8>? {
        var count: Int32 = 0
        guard let bytes = quarry_pmd_rx_payload(input, &count) else { return nil }
        return UnsafeMutableBufferPointer(start: bytes, count: Int(count))
    }

    /// Gives the extension `bytes` as this call's payload instead (`quarry_pmd_rx_set_payload`); they must stay
    /// until it has inflated them.
    func replacePayload(with bytes: UnsafeMutableBufferPointer<UInt8>) {
        quarry_pmd_rx_set_payload(input, bytes.baseAddress, Int32(bytes.count))
    }

    /// Whether the extension's inflater is started (`quarry_pmd_rx_started`).
    var inflaterStarted: Bool { quarry_pmd_rx_started(user) != 0 }
    /// Bytes of earlier input it still holds; it then ignores this call's payload (`quarry_pmd_rx_held_input`).
    var inflaterHeldInput: Int { quarry_pmd_rx_held_input(user) }
    /// Whether the input it holds lies in `buffer` (`quarry_pmd_rx_input_within`).
    func inflaterInput(isIn buffer: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        quarry_pmd_rx_input_within(user, buffer.baseAddress, buffer.count) != 0
    }
    /// Copies the input it holds to `buffer`, which has room for it, and points it there
    /// (`quarry_pmd_rx_move_input`).
    func moveInflaterInput(to buffer: UnsafeMutableBufferPointer<UInt8>) {
        quarry_pmd_rx_move_input(user, buffer.baseAddress)
    }

    /// Whether lws' inflater would fail its assertion, and abort the process, if this call brought `payload`
    /// (`quarry_pmd_rx_would_assert`, which replays lws' steps on a copy); `piece` is its `rx_buf_size` in bytes.
    /// `unlessWhole`: also true unless the message then ends cleanly (its last block complete).
    func wouldAbort(_ payload: UnsafeMutableBufferPointer<UInt8>, piece: Int, unlessWhole: Bool = false) -> Bool {
        quarry_pmd_rx_would_assert(user, payload.baseAddress, Int32(payload.count), piece, unlessWhole ? 1 : 0) != 0
    }

    /// Lets lws' own extension handle the call (`lws_extension_callback_pm_deflate`).
    func forward() -> Int32 {
        lws_extension_callback_pm_deflate(context, ext, wsi, reason, user, input, length)
    }
}

/// A posted form's body read with lws' own parser for `application/x-www-form-urlencoded` and
/// `multipart/form-data` (`lws_spa_create`, `lws_spa_process`, `lws_spa_finalize`, `lws_spa_get_string`,
/// `lws_spa_destroy`), which finds the content type on the connection. Values past `maxBytes` in all are cut.
final class FormParser {
    private let spa: OpaquePointer
    let fields: [String]
    private let names: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let storage: [UnsafeMutablePointer<CChar>]

    /// What receives a multipart form's files, kept alive as long as the parser.
    private let files: UploadIntake?

    /// A parser for the named `fields` of the request on `wsi`, and, when `files` is given, its files, handed to
    /// it as they arrive; nil when lws cannot make one.
    init?(_ wsi: WSI, fields: [String], maxBytes: Int, files: UploadIntake? = nil) {
        storage = fields.map { strdup($0)! }
        names = .allocate(capacity: max(1, fields.count))
        for (index, name) in storage.enumerated() { names[index] = UnsafePointer(name) }
        self.fields = fields
        self.files = files
        let callback: lws_spa_fileupload_cb? = files == nil ? nil : { data, _, fileName, buffer, length, state in
            guard let data else { return 0 }
            let intake = Unmanaged<UploadIntake>.fromOpaque(data).takeUnretainedValue()
            switch state {
            case LWS_UFS_OPEN:
                intake.open(fileName.map { String(cString: $0) } ?? "")
            case LWS_UFS_CONTENT, LWS_UFS_FINAL_CONTENT:
                intake.take(UnsafeRawBufferPointer(start: buffer, count: Int(max(0, length))),
                            last: state == LWS_UFS_FINAL_CONTENT)
            default:
                break
            }
            return 0
        }
        let data = files.map { Unmanaged.passUnretained($0).toOpaque() }
        guard let spa = lws_spa_create(wsi.raw, names, Int32(fields.count), Int32(maxBytes), callback, data) else {
            names.deallocate()
            storage.forEach { free($0) }
            return nil
        }
        self.spa = spa
    }

    deinit {
        _ = lws_spa_destroy(spa)
        names.deallocate()
        storage.forEach { free($0) }
    }

    /// Parses the next piece of the body; false when lws finds it malformed.
    func feed(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        lws_spa_process(spa, bytes.assumingMemoryBound(to: CChar.self), Int32(count)) == 0
    }

    /// The fields, once the body has ended (absent ones are left out).
    func finish() -> [String: String] {
        _ = lws_spa_finalize(spa)
        var values: [String: String] = [:]
        for (index, field) in fields.enumerated() {
            guard let value = lws_spa_get_string(spa, Int32(index)) else { continue }
            let length = Int(lws_spa_get_length(spa, Int32(index)))
            values[field] = String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)
        }
        return values
    }
}

/// Context-level calls.
enum LWS {
    /// `LWS_PRE`: headroom lws_write needs before a payload.
    static let pre = Int(quarry_lws_pre())

    /// Room for one request's headers (`max_http_header_data`): big cookie headers fit (cookies ignore ports, so
    /// other apps on the host add theirs). Taken only while a request's headers are read.
    static let maxHeaderBytes = 16 * 1024

    /// Gives libwebsockets the allocator that maps its large blocks (its 16 KiB header buffers) on their own, so a
    /// burst of handshakes leaves no holes in the heap (`lws_set_allocator`, `quarry_lws_realloc`). Call before
    /// creating a context: set once for the process, before its first context, since a block must be freed by the
    /// allocator that made it.
    static func useOwnPagesForLargeBlocks() { _ = allocatorSet }

    private static let allocatorSet: Void = lws_set_allocator(quarry_lws_realloc)

    /// Routes libwebsockets' own log lines through `emit` (`lws_set_log_level`): errors and warnings, and its
    /// notices and details too when `verbose`.
    static func setLogging(verbose: Bool, _ emit: @convention(c) (Int32, UnsafePointer<CChar>?) -> Void) {
        lws_set_log_level(LLL_ERR | LLL_WARN | (verbose ? LLL_NOTICE | LLL_INFO : 0), emit)
    }
}
