// WebSockets on the service thread: admission, messages in, frames out, and the ops of the socket protocol.
internal import CWebSockets
internal import Logging
internal import TurboStream

extension ServiceLoop {
    /// Whether a WebSocket handshake may proceed: the right path, an allowed origin, room under the cap. A refused
    /// handshake gets an HTTP status saying why (404, 403, 503) before the connection closes.
    func admit(_ wsi: WSI) -> Bool {
        guard let refusal = refusal(wsi) else { return true }
        wsi.refuse(status: refusal)
        return false
    }

    private func refusal(_ wsi: WSI) -> Int? {
        let peer = wsi.peer
        guard !shuttingDown else { return 503 }
        guard wsi.header(WSI_TOKEN_GET_URI) == Wire.socketPath else {
            logger.notice("refused a socket on another path", metadata: ["peer": "\(peer)"])
            return 404
        }
        let origin = wsi.header(WSI_TOKEN_ORIGIN), host = wsi.header(WSI_TOKEN_HOST)
        guard origins.allows(origin: origin, host: host) else {
            logger.warning("refused a socket from another origin",
                           metadata: ["peer": "\(peer)", "origin": "\(origin ?? "")", "host": "\(host ?? "")"])
            return 403
        }
        guard sockets.count < configuration.maxConnections else {
            logger.warning("refused a socket: connection limit reached",
                           metadata: ["peer": "\(peer)", "limit": "\(configuration.maxConnections)"])
            return 503
        }
        return nil
    }

    func socketOpened(_ wsi: WSI, _ user: UnsafeMutableRawPointer?) {
        let id = nextID()
        WSI.setConnectionID(id, in: user)
        let session = wsi.header(WSI_TOKEN_HTTP_COOKIE).flatMap(sessions.session(fromCookieHeader:))
        let bucket = TokenBucket(burst: configuration.messageBurst, rate: configuration.messagesPerSecond,
                                 now: monotonicSeconds())
        sockets[id] = Connection(id: id, wsi: wsi, session: session, peer: wsi.peer, bucket: bucket)
        logger.debug("socket opened", metadata: ["connection": "\(id)", "sockets": "\(sockets.count)"])
    }

    func socketClosed(_ id: ConnectionID) {
        guard let socket = sockets.removeValue(forKey: id) else { return }
        for stream in socket.subscriptions { hub.unsubscribe(id, from: stream) }
        logger.debug("socket closed", metadata: ["connection": "\(id)", "sockets": "\(sockets.count)"])
    }

    func receive(_ wsi: WSI, _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int)
        -> Int32
    {
        guard let socket = sockets[WSI.connectionID(in: user)] else { return -1 }
        guard socket.closing == nil else { return 0 }
        if socket.partial.count + length + wsi.remainingInFrame > configuration.maxMessageBytes {
            logger.warning("closed a socket that sent an oversized message",
                           metadata: ["peer": "\(socket.peer)", "limit": "\(configuration.maxMessageBytes)"])
            close(socket, code: UInt16(LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE.rawValue), reason: "message too big")
            return 0
        }
        if let input, length > 0 {
            socket.partial.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        guard wsi.isMessageComplete else { return 0 }
        let message = socket.partial
        socket.partial = []

        guard socket.bucket.take(now: monotonicSeconds()) else {
            let refused = socket.bucket.refusedInARow
            if refused == 1 {
                reply(socket, Notice.error(.rateLimited, "Too many messages at once. Please wait a moment and try again."))
            } else if Double(refused) > 10 * configuration.messageBurst {
                logger.warning("closed a socket that kept sending too fast", metadata: ["peer": "\(socket.peer)"])
                close(socket, code: UInt16(LWS_CLOSE_STATUS_POLICY_VIOLATION.rawValue), reason: "too many messages")
            }
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

    private func perform(_ message: ClientMessage, for socket: Connection) {
        switch message {
        case .subscribe(let signed):
            guard let stream = verified(signed, from: socket) else { return }
            guard socket.subscriptions.contains(stream)
                || socket.subscriptions.count < configuration.maxSubscriptionsPerConnection
            else {
                reply(socket, Notice.error(.tooManySubscriptions, "This page follows too many conversations at once."))
                return
            }
            socket.subscriptions.insert(stream)
            hub.subscribe(socket.id, to: stream, deliver)
        case .unsubscribe(let signed):
            guard let stream = verified(signed, from: socket) else { return }
            socket.subscriptions.remove(stream)
            hub.unsubscribe(socket.id, from: stream)
        case .ask(let thread, let content):
            forward(.ask(thread: thread, content: content), from: socket)
        case .stop(let message):
            forward(.stop(message: message), from: socket)
        }
    }

    private func verified(_ signed: String, from socket: Connection) -> String? {
        if let stream = streamNames.verified(signed) { return stream }
        logger.warning("refused a stream name whose signature does not hold",
                       metadata: ["peer": "\(socket.peer)", "connection": "\(socket.id)"])
        reply(socket, Notice.error(.badSignature, "This page is out of date. Please reload it."))
        return nil
    }

    private func forward(_ operation: SocketOperation, from socket: Connection) {
        guard let operations else {
            reply(socket, Notice.error(.unavailable, "Asking questions is not available on this server yet."))
            return
        }
        operations.handle(operation, from: SocketClient(connection: socket.id, session: socket.session))
    }

    private func reply(_ socket: Connection, _ envelope: StreamEnvelope) {
        deliver(socket.id, Array(envelope.rendered.utf8))
    }

    /// Closes `socket` with `code` at its next writeable moment. Whatever it sends meanwhile is dropped unread;
    /// closing from inside the read would lose the close frame when more input is pending.
    private func close(_ socket: Connection, code: UInt16, reason: String) {
        socket.partial = []
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
            logger.warning("disconnected a socket that cannot keep up", metadata: [
                "peer": "\(socket.peer)", "connection": "\(id)",
                "queued_messages": "\(socket.outbox.count)", "queued_bytes": "\(socket.outbox.bytes)",
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
        guard wsi.writeText(buffer, count: count) else { return -1 }
        if !socket.outbox.isEmpty { socket.requestWriteable() }
        return 0
    }
}
