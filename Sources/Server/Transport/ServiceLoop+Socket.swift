// WebSockets on the service thread: admission, messages in, frames out, and the ops of the socket protocol.
internal import Contracts
internal import CWebSockets
internal import Logging
internal import Telemetry
internal import TurboStream
internal import Words

extension ServiceLoop {
    /// Whether a WebSocket handshake may proceed: the right path, a name and origin this server answers to,
    /// room under the caps. A refused handshake gets an HTTP status saying why (404, 403, 429, 503).
    func admit(_ wsi: WSI) -> Bool {
        guard let refusal = refusal(wsi) else { return true }
        metrics?.refused(refusal.reason)
        wsi.refuse(status: refusal.status, message: refusal.message)
        return false
    }

    private func refusal(_ wsi: WSI) -> (status: Int, message: String?, reason: SocketRefusal)? {
        guard !shuttingDown else { return (503, "The server is shutting down.", .shuttingDown) }
        guard wsi.header(WSI_TOKEN_GET_URI) == Wire.socketPath else {
            warn("refused a socket on another path", ["peer": "\(wsi.peer)"])
            return (404, nil, .path)
        }
        let origin = wsi.header(WSI_TOKEN_ORIGIN), host = wsi.header(WSI_TOKEN_HOST)
        guard hosts.allows(host: host), origins.allows(origin: origin, host: host) else {
            warn("refused a socket from another origin",
                 ["peer": "\(wsi.peer)", "origin": "\(origin ?? "")", "host": "\(host ?? "")"])
            return (403, nil, .origin)
        }
        switch visitor(wsi, cookie: wsi.header(WSI_TOKEN_HTTP_COOKIE)) {
        case .signInNeeded:
            warn("refused a socket: nobody is signed in on it", ["peer": "\(wsi.peer)"])
            return (403, "Sign in first.", .signIn)
        case .refused(let why):
            warn("refused a socket: not through the sign-in proxy", ["peer": "\(wsi.peer)"])
            return (403, why, .signIn)
        case .browser, .person:
            break
        }
        guard sockets.count < configuration.maxConnections else {
            warn("refused a socket: connection limit reached",
                 ["peer": "\(wsi.peer)", "limit": "\(configuration.maxConnections)"])
            return (503, "The server is full. Please try again later.", .full)
        }
        let peer = clientAddress(wsi)
        guard socketsByPeer[peer] < configuration.maxConnectionsPerPeer else {
            warn("refused a socket: too many from one address",
                 ["peer": "\(peer)", "limit": "\(configuration.maxConnectionsPerPeer)"])
            return (429, "Too many open pages from your address. Close some and reload.", .peer)
        }
        return nil
    }

    func socketOpened(_ wsi: WSI, _ user: UnsafeMutableRawPointer?) {
        let id = nextID()
        WSI.setConnectionID(id, in: user)
        // The person's conversations when someone is signed in, else the browser's (admit refused the rest).
        let visitor = visitor(wsi, cookie: wsi.header(WSI_TOKEN_HTTP_COOKIE))
        let session = visitor.owner
        let bucket = TokenBucket(burst: configuration.messageBurst, rate: configuration.messagesPerSecond,
                                 now: monotonicSeconds())
        // The upgrade request carries the page's Accept-Language too: its notices and answers speak the page's language.
        let language = configuration.language ?? Language.preferred(by: wsi.header(WSI_TOKEN_HTTP_ACCEPT_LANGUAGE))
        let socket = Connection(id: id, wsi: wsi, session: session, peer: clientAddress(wsi), language: language,
                                bucket: bucket)
        socket.isAdmin = router.admin(of: visitor) != nil
        socket.deflate = primedDeflate(for: wsi)
        wsi.refuseUnmaskedFrames()
        sockets[id] = socket
        socketsByPeer.add(for: socket.peer)
        metrics?.socketsOpened.increment()
        // A page subscribes as soon as its socket opens; one that never does only holds a place.
        wsi.setTimer(seconds: configuration.subscribeGraceSeconds)
        logger.debug("socket opened", metadata: ["connection": "\(id)", "sockets": "\(sockets.count)"])
        // It slipped in as a shutdown began: it goes with the others.
        if shuttingDown { close(socket, code: UInt16(LWS_CLOSE_STATUS_GOINGAWAY.rawValue), reason: "server shutting down") }
    }

    func socketClosed(_ id: ConnectionID) {
        guard let socket = sockets.removeValue(forKey: id) else { return }
        releasePartial(socket)
        socketsByPeer.remove(for: socket.peer)
        for stream in socket.subscriptions { hub.unsubscribe(id, from: stream) }
        logger.debug("socket closed", metadata: ["connection": "\(id)", "sockets": "\(sockets.count)"])
    }

    func receive(_ wsi: WSI, _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int)
        -> Int32
    {
        guard let socket = sockets[WSI.connectionID(in: user)] else { return -1 }
        guard socket.closing == nil else { return 0 }
        // Compared without adding: a hostile frame header can announce a length near Int.max.
        let limit = configuration.maxMessageBytes, remaining = wsi.remainingInFrame
        if remaining > limit || length > limit - remaining || socket.partial.count > limit - remaining - length {
            warn("closed a socket that sent an oversized message", ["peer": "\(socket.peer)", "limit": "\(limit)"])
            close(socket, code: UInt16(LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE.rawValue), reason: "message too big")
            return 0
        }
        guard roomForPartial(socket, adding: length) else { return 0 }
        let starting = socket.partial.isEmpty
        if let input, length > 0 { holdPartial(socket, UnsafeRawBufferPointer(start: input, count: length)) }
        guard wsi.isMessageComplete else {
            // A message in pieces must be finished promptly: its bytes are held until then.
            if starting { wsi.setDeadline(seconds: Int32(configuration.messageDeadlineSeconds)) }
            return 0
        }
        if !starting { wsi.clearDeadline() }
        let message = releasePartial(socket)

        switch socket.bucket.take(now: monotonicSeconds()) {
        case .accept: break
        case .refuse(let notify):
            if notify { reply(socket, Notice.error(.rateLimited, Words(socket.language)[.noticeTooManyMessages])) }
            return 0
        case .refuseAndClose:
            warn("closed a socket that kept sending too fast", ["peer": "\(socket.peer)"])
            close(socket, code: UInt16(LWS_CLOSE_STATUS_POLICY_VIOLATION.rawValue), reason: "too many messages")
            return 0
        }
        if wsi.isBinary {
            reply(socket, Notice.error(.binaryFrame, "The server only understands text messages."))
            return 0
        }
        switch ClientMessage.decode(message) {
        case .failure(let rejection):
            reply(socket, Notice.error(rejection.code, rejection.message))
        case .success(let message):
            perform(message, for: socket)
        }
        return 0
    }

    /// Closes `socket` with `code` at its next writeable moment. Whatever it sends meanwhile is dropped unread;
    /// closing from inside the read would lose the close frame when more input is pending.
    func close(_ socket: Connection, code: UInt16, reason: String) {
        releasePartial(socket)
        socket.outbox.removeAll()
        socket.closing = (code, reason)
        socket.requestWriteable()
    }

    /// Queues `frame` for socket `id`; a socket too far behind is dropped rather than let memory grow.
    func deliver(_ id: ConnectionID, _ frame: Hub.Frame) {
        guard let socket = sockets[id], socket.closing == nil else { return }
        if socket.outbox.count >= configuration.maxQueuedMessages
            || socket.outbox.bytes + frame.count > configuration.maxQueuedBytes
        {
            warn("disconnected a socket that cannot keep up", [
                "peer": "\(socket.peer)", "queued_messages": "\(socket.outbox.count)",
                "queued_bytes": "\(socket.outbox.bytes)",
            ])
            socket.outbox.removeAll()
            socket.closing = (UInt16(LWS_CLOSE_STATUS_POLICY_VIOLATION.rawValue), "too slow")
            socket.wsi.kill()
            return
        }
        socket.outbox.append(frame)
        socket.requestWriteable()
    }

    func socketWriteable(_ wsi: WSI, _ user: UnsafeMutableRawPointer?) -> Int32 {
        guard let socket = sockets[WSI.connectionID(in: user)] else { return -1 }
        socket.writeableArrived()
        if let closing = socket.closing {
            wsi.setCloseReason(closing.code, closing.reason)
            return -1
        }
        guard !socket.outbox.isEmpty else { return 0 }
        // Several envelopes may share a frame: the page applies them in document order.
        var pieces: [[UInt8]] = []
        let total = socket.outbox.popCoalescing(upTo: Self.coalesceLimit) { pieces.append($0) }
        let buffer = scratch(for: total)
        var count = 0
        for piece in pieces {
            piece.withUnsafeBufferPointer { (buffer + LWS.pre + count).update(from: $0.baseAddress!, count: $0.count) }
            count += piece.count
        }
        if socket.deflate != nil {
            // Compressed here, written as a finished frame (lws' own extension never sees it).
            if let frame = socket.deflate!.frame(UnsafeBufferPointer(start: buffer + LWS.pre, count: count)) {
                let out = scratch(for: frame.count)
                frame.withUnsafeBufferPointer { (out + LWS.pre).update(from: $0.baseAddress!, count: $0.count) }
                guard wsi.writeRaw(out, count: frame.count) else { return -1 }
            } else {
                socket.deflate!.remember(Array(UnsafeBufferPointer(start: buffer + LWS.pre, count: count)))
                guard wsi.writeText(buffer, count: count) else { return -1 }
            }
        } else {
            guard wsi.writeText(buffer, count: count) else { return -1 }
        }
        if !socket.outbox.isEmpty { socket.requestWriteable() }
        return 0
    }
}
