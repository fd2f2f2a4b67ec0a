// The service thread's world: every connection's state and the dispatch of libwebsockets' callbacks.
// Nothing here is touched by any other thread (see LWS.swift for the rule).
internal import Contracts
internal import CWebSockets
internal import Logging
internal import TurboStream

/// State and callbacks of the one service thread.
final class ServiceLoop {
    let configuration: ServerConfiguration
    let hub: Hub
    let router: Router
    let sessions: SessionCookies
    let streamNames: StreamNames
    let origins: OriginPolicy
    let hosts: HostPolicy
    let operations: (any SocketOperationHandler)?
    /// What `/metrics` reports; nil: the endpoint is off.
    let metrics: ServerMetrics?
    let logger: Logger

    /// Open WebSockets by id.
    var sockets: [ConnectionID: Connection] = [:]
    /// HTTP responses still being written, by connection id.
    var exchanges: [ConnectionID: HTTPExchange] = [:]
    /// Forms whose body is still arriving, by connection id.
    var forms: [ConnectionID: FormIntake] = [:]
    /// Reading pages being made off this thread (ServiceLoop+Documents.swift).
    let documents = DocumentRequests()
    private var lastID: ConnectionID = 0
    /// Bytes of half-received messages held across all sockets.
    var partialBytes = 0
    /// The same bytes, per client address.
    var partialBytesByPeer = PeerTally()
    /// Open sockets per client address.
    var socketsByPeer = PeerTally()
    /// Connections still sending a request's headers, per TCP peer.
    var headerWatch = HeaderWatch()
    /// Handshakes that agreed to primed permessage-deflate, by handle, until their socket opens.
    var primedHandshakes: [Int: DeflateAgreement] = [:] {
        didSet {
            // Only a handshake that failed after its headers leaves an entry behind; never let them pile up.
            if primedHandshakes.count > 4_096 { primedHandshakes = [:] }
        }
    }
    /// Compressed input that lws' inflater still reads from, by handle: input it had not used when its call ended
    /// (moved out of lws' shared read buffer), or a payload completed so that it does not abort (see `inflate(_:)`).
    /// Freed once the inflater holds no input, or with the connection's extension.
    var inflaterInputs: [Int: UnsafeMutableBufferPointer<UInt8>] = [:]
    private var logLimiter = LogLimiter()
    /// Set once a graceful shutdown has begun: no new sockets, every open one closing with 1001.
    private(set) var shuttingDown = false
    /// Scratch space for frames, with LWS_PRE bytes of headroom; grows to the largest frame written.
    private var writeBuffer: UnsafeMutablePointer<UInt8>
    private var writeCapacity: Int

    /// Frames waiting for one socket are coalesced into writes of at most this many bytes.
    static let coalesceLimit = 16 * 1024

    init(configuration: ServerConfiguration, hub: Hub, router: Router, sessions: SessionCookies,
         streamNames: StreamNames, operations: (any SocketOperationHandler)?, metrics: ServerMetrics? = nil,
         machineName: String?, logger: Logger) {
        self.configuration = configuration
        self.hub = hub
        self.router = router
        self.sessions = sessions
        self.streamNames = streamNames
        self.origins = OriginPolicy(allowedOrigins: configuration.allowedOrigins)
        self.hosts = HostPolicy(allowedOrigins: configuration.allowedOrigins, machineName: machineName)
        self.operations = operations
        self.metrics = metrics
        self.logger = logger
        writeCapacity = Self.coalesceLimit
        writeBuffer = .allocate(capacity: LWS.pre + writeCapacity)
    }

    deinit {
        writeBuffer.deallocate()
        for input in inflaterInputs.values { input.deallocate() }
    }

    func nextID() -> ConnectionID {
        lastID += 1
        return lastID
    }

    /// Room for a payload of `count` bytes after the headroom.
    func scratch(for count: Int) -> UnsafeMutablePointer<UInt8> {
        if count > writeCapacity {
            writeBuffer.deallocate()
            writeCapacity = count
            writeBuffer = .allocate(capacity: LWS.pre + count)
        }
        return writeBuffer
    }

    /// One libwebsockets callback.
    func handle(_ wsi: WSI, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
            guard accepted(wsi) else { return -1 }
            return lws_callback_http_dummy(wsi.raw, reason, user, input, length)
        case LWS_CALLBACK_WSI_DESTROY:
            headerWatch.done(wsi.key)
            _ = wsi.stopRefusingUnmaskedFrames()
            return lws_callback_http_dummy(wsi.raw, reason, user, input, length)
        case LWS_CALLBACK_HTTP:
            headerWatch.done(wsi.key)
            let path = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "/"
            return httpRequest(wsi, user, path: path)
        case LWS_CALLBACK_HTTP_WRITEABLE:
            return httpWriteable(wsi, user)
        case LWS_CALLBACK_HTTP_BODY:
            // Only the sign-in forms are read (ServiceLoop+Forms.swift); any other body is dropped while its
            // refusal goes out.
            return formBody(wsi, user, input, length)
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return formComplete(wsi, user)
        case LWS_CALLBACK_CLOSED_HTTP:
            exchanges[WSI.connectionID(in: user)] = nil
            forms[WSI.connectionID(in: user)] = nil
            forgetDocumentRequest(WSI.connectionID(in: user))
            return 0
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            // WebSocket only: lws would otherwise switch to HTTP/2 (h2c) on request, which nothing here serves.
            let upgrade = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
            return upgrade.lowercased() == "websocket" ? 0 : -1
        case LWS_CALLBACK_RAW_ADOPT:
            // lws turns a CONNECT request into a raw socket; Quarry proxies nothing.
            return -1
        case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
            headerWatch.done(wsi.key)
            return admit(wsi) ? 0 : 1
        case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
            return acceptsCompression(wsi) ? 0 : 1
        case LWS_CALLBACK_ADD_HEADERS:
            guard let input else { return 0 }
            let response = HandshakeResponse(args: input.assumingMemoryBound(to: lws_process_html_args.self))
            return completeCompression(wsi, response)
        case LWS_CALLBACK_ESTABLISHED:
            socketOpened(wsi, user)
            return 0
        case LWS_CALLBACK_RECEIVE:
            return receive(wsi, user, input, length)
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return socketWriteable(wsi, user)
        case LWS_CALLBACK_TIMER:
            subscribeGraceEnded(WSI.connectionID(in: user))
            return 0
        case LWS_CALLBACK_CLOSED:
            if wsi.stopRefusingUnmaskedFrames() {
                let peer = sockets[WSI.connectionID(in: user)]?.peer ?? wsi.peer
                warn("closed a socket that sent an unmasked frame (RFC 6455 §5.1)", ["peer": "\(peer)"])
            }
            socketClosed(WSI.connectionID(in: user))
            return 0
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            hub.drain(deliver) { id, cost in sockets[id]?.bucket.charge(cost, now: monotonicSeconds()) }
            collectDocumentResponses()
            return 0
        default:
            return lws_callback_http_dummy(wsi.raw, reason, user, input, length)
        }
    }

    /// Logs a warning that a client can cause, a few per kind per minute (the kind is the message).
    func warn(_ message: String, _ metadata: Logger.Metadata) {
        let (allowed, suppressed) = logLimiter.admit(message, now: monotonicSeconds())
        guard allowed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed_since_last"] = "\(suppressed)" }
        logger.warning("\(message)", metadata: metadata)
    }

    /// Begins a graceful shutdown: refuse new sockets and close every open one with 1001 (going away).
    func beginShutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        logger.info("closing sockets", metadata: ["sockets": "\(sockets.count)"])
        for socket in sockets.values {
            socket.closing = (UInt16(LWS_CLOSE_STATUS_GOINGAWAY.rawValue), "server shutting down")
            socket.requestWriteable()
        }
    }
}
