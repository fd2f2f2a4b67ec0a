// permessage-deflate (RFC 7692): what the server agrees to when a client offers it, and how libwebsockets 4.1 is
// told. lws compresses and inflates; what it does not do, this does:
//
// - Its handshake only echoes the offer's `server_no_context_takeover` / `client_no_context_takeover` and never
//   answers window sizes, so the agreed parameters are appended to its `Sec-WebSocket-Extensions` line from
//   `LWS_CALLBACK_ADD_HEADERS`, which it calls right after writing that line.
// - It sizes its compressor *and* its inflater from one setting, `server_max_window_bits`, so a smaller window
//   is only used when the client lets the server cap the client's window as well.
// - Its "no context takeover" switches act on the other side's direction when it is the server: its setting
//   `client_no_context_takeover` frees its compressor after each message, `server_no_context_takeover` its
//   inflater. The settings are therefore set from what was agreed, crosswise (see `libwebsocketsOptions`).
internal import CWebSockets
internal import Gzip
internal import Logging

/// The parameters of a client's first permessage-deflate offer (RFC 7692 §7.1).
struct DeflateOffer: Equatable {
    /// The name of the extension, in offers and answers.
    static let extensionName = "permessage-deflate"

    var serverNoContextTakeover = false
    var clientNoContextTakeover = false
    /// nil when not offered.
    var serverMaxWindowBits: Int?
    /// nil when not offered; `.some(nil)` when offered without a value.
    var clientMaxWindowBits: Int??

    /// The first `permessage-deflate` element of a `Sec-WebSocket-Extensions` value; nil if there is none, or if it
    /// is not a valid offer (an unknown or repeated parameter, a window outside 8...15), which must be declined.
    init?(header: String) {
        guard let element = header.split(separator: ",").lazy
            .map({ $0.split(separator: ";", omittingEmptySubsequences: false) })
            .first(where: { $0.first.map(Self.trimmed) == Self.extensionName })
        else { return nil }
        var seen: Set<String> = []
        for parameter in element.dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.trimmed(parts[0])
            let value = parts.count == 2 ? Self.windowBits(Self.trimmed(parts[1])) : nil
            guard seen.insert(name).inserted, parts.count == 1 || value != nil else { return nil }
            switch name {
            case "server_no_context_takeover" where parts.count == 1: serverNoContextTakeover = true
            case "client_no_context_takeover" where parts.count == 1: clientNoContextTakeover = true
            case "server_max_window_bits" where value != nil: serverMaxWindowBits = value
            case "client_max_window_bits": clientMaxWindowBits = .some(value)
            default: return nil
            }
        }
    }

    /// The parameter names in an element such as `permessage-deflate; client_no_context_takeover`.
    static func parameterNames(in element: String) -> Set<String> {
        Set(element.split(separator: ";").dropFirst().map {
            trimmed($0.split(separator: "=", omittingEmptySubsequences: false)[0])
        })
    }

    private static func trimmed(_ text: Substring) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: blank).reversed().drop(while: blank).reversed())
    }

    /// A window size in bits, `10` or `"10"`, within 8...15.
    private static func windowBits(_ text: String) -> Int? {
        let quoted = text.count > 2 && text.first == "\"" && text.last == "\""
        let digits = quoted ? String(text.dropFirst().dropLast()) : text
        guard digits.count <= 2, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(digits),
              (8...15).contains(bits)
        else { return nil }
        return bits
    }
}

/// What the server answers to an offer, and the window it works with.
struct DeflateAgreement: Equatable {
    /// The window of the server's compressor and inflater alike (lws sizes both from one setting).
    var windowBits: Int
    /// The server frees its compressor after every message and says so.
    var serverNoContextTakeover: Bool
    /// The client must not keep its compressor between messages, so the server frees its inflater after each.
    var clientNoContextTakeover: Bool
    /// Announced only when below 15 or when the client asked.
    var serverMaxWindowBits: Int?
    var clientMaxWindowBits: Int?

    /// The agreement for `offer`, or nil to decline it (the socket then works uncompressed).
    init?(offer: DeflateOffer, settings: SocketCompression) {
        let wanted = min(max(settings.windowBits, 9), 15)
        // Primed, the server writes every message so that the client may keep its context: it promises nothing,
        // unless the client asks.
        serverNoContextTakeover = offer.serverNoContextTakeover || (!settings.keepsContext && !settings.primed)
        clientNoContextTakeover = offer.clientNoContextTakeover || !settings.clientsKeepContext
        guard let clientOffer = offer.clientMaxWindowBits else {
            // The client may compress with a 15-bit window, so lws must inflate with one, and therefore compress
            // with one: a client that asked for a smaller server window cannot be served.
            guard (offer.serverMaxWindowBits ?? 15) == 15 else { return nil }
            windowBits = 15
            serverMaxWindowBits = offer.serverMaxWindowBits
            return
        }
        // zlib cannot compress a raw deflate stream with an 8-bit window.
        windowBits = min(wanted, offer.serverMaxWindowBits ?? 15)
        guard windowBits >= 9 else { return nil }
        serverMaxWindowBits = windowBits < 15 || offer.serverMaxWindowBits != nil ? windowBits : nil
        let clientBits = min(clientOffer ?? 15, windowBits)
        clientMaxWindowBits = clientBits < 15 ? clientBits : nil
    }

    /// The response's parameters, in the order RFC 7692 lists them.
    var parameters: [String] {
        var out: [String] = []
        if serverNoContextTakeover { out.append("server_no_context_takeover") }
        if clientNoContextTakeover { out.append("client_no_context_takeover") }
        if let bits = serverMaxWindowBits { out.append("server_max_window_bits=\(bits)") }
        if let bits = clientMaxWindowBits { out.append("client_max_window_bits=\(bits)") }
        return out
    }

    /// What to append to the `Sec-WebSocket-Extensions` line lws wrote (`written`, such as
    /// `permessage-deflate; client_no_context_takeover`) so that it says all of ``parameters`` once.
    func completion(of written: String) -> String {
        let present = DeflateOffer.parameterNames(in: written)
        let missing = parameters.filter { !present.contains(String($0.prefix(while: { $0 != "=" }))) }
        return missing.map { "; " + $0 }.joined()
    }

    /// lws' per-connection settings (`lws_set_extension_option` names and values) that carry out this agreement.
    /// As a server, lws frees its compressor on its `client_no_context_takeover` and its inflater on its
    /// `server_no_context_takeover`; its buffer sizes are powers of two given as exponents.
    func libwebsocketsOptions(_ settings: SocketCompression) -> [(name: String, value: Int)] {
        [
            ("server_max_window_bits", windowBits),
            // Primed, lws' compressor is never used (the server writes its frames itself): let it never be kept.
            ("client_no_context_takeover", serverNoContextTakeover || settings.primed ? 1 : 0),
            ("server_no_context_takeover", clientNoContextTakeover ? 1 : 0),
            ("mem_level", min(max(settings.memoryLevel, 1), 9)),
            ("compression_level", min(max(settings.level, 0), 9)),
            ("tx_buf_size", Self.exponent(of: settings.outputBufferBytes, in: 7...15)),
            ("rx_buf_size", Self.exponent(of: settings.inputBufferBytes, in: 7...10)),
        ]
    }

    /// The size of the pieces lws inflates a message in: its `rx_buf_size` as ``libwebsocketsOptions`` sets it,
    /// which lws then holds to the largest power of two within the socket's receive buffer (4096 when 0).
    static func inflatedPieceBytes(_ settings: SocketCompression, receiveBufferBytes: Int) -> Int {
        let asked = exponent(of: settings.inputBufferBytes, in: 7...10)
        let cap = exponent(of: receiveBufferBytes > 0 ? receiveBufferBytes : 4096, in: 7...62)
        return 1 << min(asked, cap)
    }

    /// The largest power of two at most `bytes`, as an exponent within `range`.
    private static func exponent(of bytes: Int, in range: ClosedRange<Int>) -> Int {
        var exponent = range.lowerBound
        while exponent < range.upperBound && 1 << (exponent + 1) <= bytes { exponent += 1 }
        return exponent
    }
}

extension ServiceLoop {
    /// `LWS_CALLBACK_CONFIRM_EXTENSION_OKAY`: whether to accept the client's permessage-deflate offer.
    func acceptsCompression(_ wsi: WSI) -> Bool {
        agreement(for: wsi) != nil
    }

    /// `LWS_CALLBACK_ADD_HEADERS` of a handshake: when lws has just accepted permessage-deflate, completes its
    /// `Sec-WebSocket-Extensions` line with the agreed parameters and sets lws' compressor for this connection.
    /// Nonzero fails the handshake (only if the agreement cannot be written or set).
    func completeCompression(_ wsi: WSI, _ response: HandshakeResponse) -> Int32 {
        let header = "Sec-WebSocket-Extensions:"
        guard let settings = configuration.compression, wsi.has(WSI_TOKEN_UPGRADE),
              let line = response.lastLine, line.hasPrefix(header)
        else { return 0 }
        // lws accepted the offer, so `acceptsCompression` did: the agreement is the same one.
        guard let agreement = agreement(for: wsi),
              response.appendToLastLine(agreement.completion(of: String(line.dropFirst(header.count))))
        else { return -1 }
        for option in agreement.libwebsocketsOptions(settings) {
            guard wsi.setDeflateOption(option.name, option.value) else { return -1 }
        }
        if settings.primed { primedHandshakes[wsi.key] = agreement }
        return 0
    }

    /// For a socket just opened: the server's own compressor, if its handshake agreed to primed compression.
    /// The agreement noted at its handshake must be the one its request still makes (a handle's address may be
    /// reused by a later connection whose handshake never got that far).
    func primedDeflate(for wsi: WSI) -> OutboundDeflate? {
        guard let noted = primedHandshakes.removeValue(forKey: wsi.key), let settings = configuration.compression,
              agreement(for: wsi) == noted
        else { return nil }
        return OutboundDeflate(noted, settings)
    }

    /// `LWS_EXT_CB_PAYLOAD_RX` and `LWS_EXT_CB_DESTROY`: lws' own inflater, kept from two faults of libwebsockets
    /// 4.1.6 (see `docs/limits.md`).
    ///
    /// - Input it has not used yet is moved out of lws' shared read buffer into one of this connection's, before
    ///   the next read for another connection overwrites it (`quarry_pmd_rx_move_input`).
    /// - A payload on which it would abort the process (`assert(priv->rx.avail_out)`, see
    ///   `quarry_pmd_rx_would_assert`) is completed first with the 00 00 FF FF the sender stripped and the first
    ///   byte of another empty block, whose rest lws appends itself: the same message, read to the end before the
    ///   assert. A payload that would still make lws abort, or that does not then end cleanly (a stream cut inside
    ///   a back-reference: not one a compressor writes), fails its connection, as lws fails one zlib rejects.
    func inflate(_ call: DeflateExtensionCall) -> Int32 {
        guard let wsi = call.handle else { return call.forward() }
        if call.isDestroy {
            inflaterInputs.removeValue(forKey: wsi.key)?.deallocate()
            return call.forward()
        }
        guard let completed = completedPayload(call, wsi) else {
            warn("closed a socket whose compressed message would make libwebsockets abort (permessage-deflate)",
                 ["peer": "\(clientAddress(wsi))"])
            return -1
        }
        if let completed {
            inflaterInputs.updateValue(completed, forKey: wsi.key)?.deallocate()
            call.replacePayload(with: completed)
        }
        let result = call.forward()
        let held = call.inflaterHeldInput
        if held == 0 {
            inflaterInputs.removeValue(forKey: wsi.key)?.deallocate()
        } else if inflaterInputs[wsi.key].map({ !call.inflaterInput(isIn: $0) }) ?? true {
            let kept = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: held)
            call.moveInflaterInput(to: kept)
            inflaterInputs.updateValue(kept, forKey: wsi.key)?.deallocate()
        }
        return result
    }

    /// For the call that brings the payload of a message's last frame: `.some(nil)` when lws may inflate it as it
    /// is, `.some(bytes)` when it must be given `bytes` instead, nil when it must not be given it at all.
    private func completedPayload(_ call: DeflateExtensionCall, _ wsi: WSI) -> UnsafeMutableBufferPointer<UInt8>?? {
        guard call.isPayloadReceived, let settings = configuration.compression, wsi.isLastFrameRead,
              let payload = call.payload, wsi.isCompressedFrame || call.inflaterStarted
        else { return .some(nil) }
        let piece = DeflateAgreement.inflatedPieceBytes(settings, receiveBufferBytes: configuration.receiveBufferBytes)
        guard call.wouldAbort(payload, piece: piece) else { return .some(nil) }
        guard call.inflaterHeldInput == 0 else { return nil }
        let completed = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: payload.count + 5)
        _ = completed.initialize(from: payload)
        _ = completed[payload.count...].initialize(from: [0x00, 0x00, 0xff, 0xff, 0x00])
        if !call.wouldAbort(completed, piece: piece, unlessWhole: true) { return .some(completed) }
        completed.deallocate()
        return nil
    }

    private func agreement(for wsi: WSI) -> DeflateAgreement? {
        guard let settings = configuration.compression,
              let offer = wsi.header(WSI_TOKEN_EXTENSIONS, limit: 512).flatMap(DeflateOffer.init(header:))
        else { return nil }
        return DeflateAgreement(offer: offer, settings: settings)
    }
}

/// The server's side of a primed permessage-deflate socket: the last bytes sent (what the client's inflater still
/// holds), and the frames it writes itself, RSV1 set (RFC 7692 §6). Service thread only.
struct OutboundDeflate {
    let windowBits: Int
    let memoryLevel: Int
    let level: Int
    /// False when the client asked for `server_no_context_takeover`: every message stands alone.
    let keepsWindow: Bool
    /// The end of what was sent, at most 2^windowBits bytes.
    private(set) var window: [UInt8] = []

    init(_ agreement: DeflateAgreement, _ settings: SocketCompression) {
        windowBits = agreement.windowBits
        memoryLevel = min(max(settings.memoryLevel, 1), 9)
        level = min(max(settings.level, 0), 9)
        keepsWindow = !agreement.serverNoContextTakeover
    }

    /// One text frame holding `payload` compressed, header included; nil if zlib failed (send it uncompressed).
    mutating func frame(_ payload: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let message = Array(payload)
        guard let compressed = try? MessageDeflate.compress(message, dictionary: keepsWindow ? window : [],
                                                            windowBits: windowBits, memoryLevel: memoryLevel,
                                                            level: level)
        else { return nil }
        remember(message)
        return Self.header(length: compressed.count) + compressed
    }

    /// Records a message sent on the socket (compressed or not: either way the client's window holds it).
    mutating func remember(_ message: [UInt8]) {
        guard keepsWindow else { return }
        let size = 1 << windowBits
        if message.count >= size {
            window = Array(message.suffix(size))
        } else {
            window.append(contentsOf: message)
            if window.count > size { window.removeFirst(window.count - size) }
        }
    }

    /// FIN, RSV1 and the text opcode, then the length as RFC 6455 §5.2 encodes it (a server's frames are unmasked).
    static func header(length: Int) -> [UInt8] {
        let first: UInt8 = 0x80 | 0x40 | 0x01
        if length < 126 { return [first, UInt8(length)] }
        if length < 65_536 { return [first, 126, UInt8(length >> 8), UInt8(length & 0xff)] }
        return [first, 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }
    }
}
