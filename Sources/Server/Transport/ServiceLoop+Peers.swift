// Fair shares per client address on the service thread: connections still sending headers, open sockets, the
// half-received-message budget, and which address a request comes from (see PeerTally.swift).
internal import Contracts
internal import CWebSockets
internal import Logging
internal import TextLines

extension ServiceLoop {
    /// Whether a newly accepted connection may stay: its address may hold only so many connections that have not
    /// yet sent a request's headers. Past that it is closed at once: it has sent nothing, so it gets nothing.
    /// A trusted proxy is not capped: it reads each client's headers itself, and keeps idle connections open.
    func accepted(_ wsi: WSI) -> Bool {
        let peer = wsi.peer
        guard headerWatch.tally[peer] < configuration.maxPendingHeadersPerPeer
                || configuration.trustedProxies.contains(peer)
        else {
            warn("refused a connection: too many from one address still sending headers",
                 ["peer": "\(peer)", "limit": "\(configuration.maxPendingHeadersPerPeer)"])
            return false
        }
        headerWatch.waiting(wsi.key, peer: peer)
        return true
    }

    /// An HTTP connection kept open after a response waits for the next request's headers, and counts again.
    func awaitingNextRequest(_ wsi: WSI) {
        headerWatch.waiting(wsi.key, peer: wsi.peer)
    }

    /// The client's address: the TCP peer's, or, when that is a trusted proxy, the last address its
    /// `X-Forwarded-For` names (the one the proxy itself saw; earlier ones are the client's to forge).
    func clientAddress(_ wsi: WSI) -> String {
        let direct = wsi.peer
        guard configuration.trustedProxies.contains(direct),
              let forwarded = wsi.header(WSI_TOKEN_X_FORWARDED_FOR, limit: 1024),
              let last = forwarded.split(separator: ",").last?.trimmingBlanks,
              !last.isEmpty, last.utf8.count <= 64
        else { return direct }
        return last
    }

    /// Whether the page was asked for over HTTPS: on a TLS connection, or through a trusted proxy that says so
    /// with `X-Forwarded-Proto: https`.
    func isSecureRequest(_ wsi: WSI) -> Bool {
        if wsi.isTLS { return true }
        guard configuration.trustedProxies.contains(wsi.peer) else { return false }
        return wsi.customHeader("x-forwarded-proto")?.trimmingBlanks.lowercased() == "https"
    }

    /// Whether `socket` may hold `length` more bytes of a half-received message. Past its address's share, that
    /// address's socket holding the most is closed (1013); past the server-wide budget, the socket holding the
    /// most anywhere. When that is `socket` itself (counting the bytes it asks for), it is the one closed and
    /// the answer is false; otherwise room is made and the question asked again.
    func roomForPartial(_ socket: Connection, adding length: Int) -> Bool {
        while true {
            let overShare = partialBytesByPeer[socket.peer] + length > configuration.maxPartialBytesPerPeer
            let overTotal = partialBytes + length > configuration.maxPartialBytesTotal
            guard overShare || overTotal else { return true }
            let biggest = largestPartialHolder(peer: overShare ? socket.peer : nil, besides: socket)
            guard let biggest, biggest.partial.count > socket.partial.count + length else {
                warn(overShare ? "closed a socket: its address holds too many half-received bytes"
                               : "closed a socket: too many half-received messages",
                     ["peer": "\(socket.peer)", "held": "\(socket.partial.count + length)"])
                close(socket, code: 1013, reason: "server busy")
                return false
            }
            warn("closed the socket holding the most half-received bytes",
                 ["peer": "\(biggest.peer)", "held": "\(biggest.partial.count)"])
            close(biggest, code: 1013, reason: "server busy")
        }
    }

    private func largestPartialHolder(peer: String?, besides socket: Connection) -> Connection? {
        var biggest: Connection?
        for candidate in sockets.values where candidate !== socket && !candidate.partial.isEmpty {
            if let peer, candidate.peer != peer { continue }
            if candidate.partial.count > biggest?.partial.count ?? 0 { biggest = candidate }
        }
        return biggest
    }

    /// Adds `bytes` to `socket`'s half-received message, counted in the budgets.
    func holdPartial(_ socket: Connection, _ bytes: UnsafeRawBufferPointer) {
        socket.partial.append(contentsOf: bytes)
        partialBytes += bytes.count
        partialBytesByPeer.add(bytes.count, for: socket.peer)
    }

    /// Empties `socket`'s half-received message and returns it, taken out of the budgets.
    @discardableResult
    func releasePartial(_ socket: Connection) -> [UInt8] {
        let message = socket.partial
        partialBytes -= message.count
        partialBytesByPeer.remove(message.count, for: socket.peer)
        socket.partial = []
        return message
    }

    /// A socket's grace period to follow a stream has ended: one that never did is closed.
    func subscribeGraceEnded(_ id: ConnectionID) {
        guard let socket = sockets[id], socket.closing == nil, !socket.hasSubscribed else { return }
        warn("closed a socket that never subscribed", ["peer": "\(socket.peer)"])
        close(socket, code: UInt16(LWS_CLOSE_STATUS_POLICY_VIOLATION.rawValue), reason: "nothing subscribed")
    }
}
