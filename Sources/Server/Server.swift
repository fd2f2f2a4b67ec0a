// The server: one libwebsockets context run by one service thread, serving the page and holding the sockets.
public import Contracts
internal import Locking
internal import CWebSockets
public import Telemetry
public import Logging
#if canImport(Glibc)
internal import Glibc
#endif

/// Why the server could not start.
public enum ServerError: Error, CustomStringConvertible {
    /// libwebsockets could not create its context or listen (most often: the port is taken).
    case cannotListen(host: String?, port: Int)
    /// The service thread could not be started.
    case cannotStartThread
    /// `start()` was called twice.
    case alreadyStarted

    public var description: String {
        switch self {
        case .cannotListen(let host, let port):
            "Could not listen on \(host ?? "all interfaces") port \(port). Is another program using that port?"
        case .cannotStartThread: "Could not start the server's thread."
        case .alreadyStarted: "The server is already running."
        }
    }
}

/// Serves the page over HTTP and holds one WebSocket per browser tab, fanning envelopes out through ``hub``.
public final class Server: @unchecked Sendable {
    /// Where envelopes are published; usable from any thread.
    public let hub: Hub
    private let configuration: ServerConfiguration
    private let loop: ServiceLoop
    private let logger: Logger
    private let stopped = Completion()

    // Guarded by `lock`. The context pointer is cleared before the context is destroyed, so a publish racing a
    // shutdown never wakes a freed context.
    private let lock = Lock()
    private var context: OpaquePointer?
    private var started = false
    private var stopRequested = false
    private var forceExit = false
    private var listeningPort = 0
    private var failureReason: String?
    private var thread: SpawnedThread?

    // Kept alive for the context's lifetime: lws holds pointers into them.
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let protocolName: UnsafeMutablePointer<CChar>
    private let retryPolicy: UnsafeMutablePointer<lws_retry_bo_t>
    private let extensions: UnsafeMutablePointer<lws_extension>
    private let extensionName: UnsafeMutablePointer<CChar>
    private let extensionOffer: UnsafeMutablePointer<CChar>
    private let interface: UnsafeMutablePointer<CChar>?

    /// A server that is not yet listening.
    /// - Parameters:
    ///   - secret: the server's secret (at least 32 bytes); session cookies and stream names are signed with
    ///     keys derived from it.
    ///   - operations: handles `ask` and `stop`; nil answers them with a clear "not available" notice.
    ///   - pageStreams: the streams a page follows, given its session.
    ///   - documents: makes the reading pages of sources (`/documents/…`); nil: there are none.
    ///   - endSession: in kiosk mode, ends the session of a visitor who started over (stops its answers, deletes
    ///     its conversations); called off the service thread, it may block.
    ///   - metrics: where the server reports its sockets, and what `/metrics` serves (to the addresses of
    ///     `configuration.metricsAccess`); nil: no `/metrics`.
    ///   - signIns: who is signed in on which browser, for `configuration.access.mode` `.password` and `.ldap` (and,
    ///     in `.none`, admins signed in for the admin pages).
    ///   - adminPages: makes the admin pages (`/admin…`); nil: there are none.
    public init(
        configuration: ServerConfiguration,
        secret: [UInt8],
        hub: Hub = Hub(),
        operations: (any SocketOperationHandler)? = nil,
        pageStreams: @escaping @Sendable (SessionID) -> [String] = { ["session/\($0.rawValue)"] },
        documents: (any DocumentPages)? = nil,
        endSession: @escaping @Sendable (SessionID) -> Void = { _ in },
        metrics: MetricsRegistry? = nil,
        signIns: (any SignIns)? = nil,
        adminPages: (any AdminPages)? = nil,
        logger: Logger = Logger(label: "quarry.server")
    ) {
        self.configuration = configuration
        self.hub = hub
        self.logger = logger
        let sessions = SessionCookies(secret: secret)
        let streamNames = StreamNames(secret: secret)
        let router = Router(frontEnd: .generated, sessions: sessions, streamNames: streamNames, pageStreams: pageStreams,
                            documents: documents, language: configuration.language, kiosk: configuration.kiosk,
                            endSession: endSession,
                            access: Access(configuration: configuration.access, sessions: sessions, signIns: signIns,
                                           trustedProxies: configuration.trustedProxies, secret: secret),
                            formTokens: FormTokens(secret: secret), adminPages: adminPages)
        loop = ServiceLoop(configuration: configuration, hub: hub, router: router, sessions: sessions,
                           streamNames: streamNames, operations: operations, metrics: metrics.map(ServerMetrics.init),
                           machineName: Self.machineName(),
                           logger: logger)
        protocolName = strdup("quarry")
        interface = configuration.host.flatMap { $0 == "0.0.0.0" || $0 == "::" ? nil : strdup($0) }
        retryPolicy = .allocate(capacity: 1)
        retryPolicy.initialize(to: lws_retry_bo_t(
            retry_ms_table: nil, retry_ms_table_count: 0, conceal_count: 0,
            secs_since_valid_ping: UInt16(clamping: configuration.pingAfterSeconds),
            secs_since_valid_hangup: UInt16(clamping: configuration.hangUpAfterSeconds), jitter_percent: 0))
        // lws' own permessage-deflate, the one extension, behind a check of what it is given to inflate
        // (`quarryDeflateExtension`); its terminating entry is all zeros. The client offer is what lws would send as
        // a client; a server never uses it.
        extensionName = strdup(DeflateOffer.extensionName)
        extensionOffer = strdup("\(DeflateOffer.extensionName); client_max_window_bits")
        extensions = .allocate(capacity: 2)
        extensions.initialize(repeating: lws_extension(), count: 2)
        extensions[0].name = UnsafePointer(extensionName)
        extensions[0].callback = quarryDeflateExtension
        extensions[0].client_offer = UnsafePointer(extensionOffer)
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(protocolName)
        protocols[0].callback = quarryServiceCallback
        protocols[0].per_session_data_size = MemoryLayout<ConnectionID>.size
        protocols[0].rx_buffer_size = configuration.receiveBufferBytes
        protocols[0].tx_packet_size = ServiceLoop.coalesceLimit + 16
    }

    deinit {
        stop()
        protocols.deallocate()
        extensions.deallocate()
        free(extensionName)
        free(extensionOffer)
        retryPolicy.deallocate()
        free(protocolName)
        free(interface)
    }

    /// The port the server listens on (useful when the configuration asked for port 0).
    public var port: Int { lock.withLock { listeningPort } }

    /// Starts listening and serving on a new thread.
    public func start() throws(ServerError) {
        try lock.withLock { () throws(ServerError) in
            guard !started else { throw .alreadyStarted }
            started = true
        }
        LWS.setLogging(verbose: logger.logLevel <= .debug, quarryLibwebsocketsLog)
        LWS.useOwnPagesForLargeBlocks()
        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = UnsafePointer(interface)
        info.protocols = UnsafePointer(protocols)
        // permessage-deflate is offered only when configured; its parameters are settled per connection
        // (PerMessageDeflate.swift).
        info.extensions = configuration.compression == nil ? nil : UnsafePointer(extensions)
        info.vhost_name = UnsafePointer(protocolName)
        info.server_string = UnsafePointer(protocolName)
        info.user = Unmanaged.passUnretained(loop).toOpaque()
        info.options = quarry_lws_option_validate_utf8()
            | (configuration.host == "0.0.0.0" ? quarry_lws_option_disable_ipv6() : 0)
        info.retry_and_idle_policy = UnsafePointer(retryPolicy)
        info.timeout_secs = 10
        info.max_http_header_data = UInt16(LWS.maxHeaderBytes)
        // A slot per request whose headers are being read; a client trickling its headers holds one until the
        // header deadline, and ServiceLoop caps how many one address may hold (HeaderWatch).
        info.max_http_header_pool = UInt16(clamping: configuration.headerSlots)
        info.timeout_secs_ah_idle = UInt32(clamping: configuration.headerDeadlineSeconds)
        info.fd_limit_per_thread = UInt32(clamping: Self.descriptorBudget())
        guard let created = lws_create_context(&info) else {
            throw .cannotListen(host: configuration.host, port: configuration.port)
        }
        let vhost = lws_get_vhost_by_name(created, protocolName)
        let bound = vhost.map { Int(lws_get_vhost_listen_port($0)) } ?? configuration.port
        lock.withLock {
            context = created
            listeningPort = bound
        }
        hub.attach(wake: { [weak self] in self?.wake() })
        guard let spawned = spawnThread({ [self] in run() }) else {
            hub.detach()
            lock.withLock { context = nil }
            lws_context_destroy(created)
            throw .cannotStartThread
        }
        lock.withLock { thread = spawned }
        logger.info("listening", metadata: ["host": "\(configuration.host ?? "*")", "port": "\(bound)"])
    }

    /// Closes every socket with 1001 (going away), waits up to the configured grace for them to go, then stops
    /// the service thread and frees the context. Safe to call from any thread, more than once; called on the
    /// service thread itself (from a handler), it only asks, and the stop completes after the handler returns.
    public func stop() {
        let running = lock.withLock { () -> SpawnedThread? in
            stopRequested = true
            if let context { lws_cancel_service(context) }
            return thread
        }
        guard let running, !running.isCurrent else { return }
        if !stopped.wait(seconds: configuration.shutdownGraceSeconds + 0.5) {
            logger.warning("sockets did not close in time; stopping anyway")
            lock.withLock {
                forceExit = true
                if let context { lws_cancel_service(context) }
            }
        }
        stopped.wait()
        let joinable = lock.withLock { () -> SpawnedThread? in
            defer { thread = nil }
            return thread
        }
        joinable?.join()
    }

    /// Blocks until the server has stopped.
    public func waitUntilStopped() { stopped.wait() }

    /// Why the server stopped by itself, if it did (nil after `stop()`).
    public var failure: String? { lock.withLock { failureReason } }

    private func wake() {
        lock.withLock {
            if let context { lws_cancel_service(context) }
        }
    }

    private func run() {
        guard let context = lock.withLock({ self.context }) else { return }
        var deadline: Double?
        while true {
            let (stop, force) = lock.withLock { (stopRequested, forceExit) }
            if force { break }
            if stop && deadline == nil {
                deadline = monotonicSeconds() + configuration.shutdownGraceSeconds
                loop.beginShutdown()
            }
            if let deadline, loop.sockets.isEmpty || monotonicSeconds() > deadline { break }
            if lws_service(context, 0) < 0 {
                logger.error("the service loop failed; stopping")
                lock.withLock { failureReason = "The server's network loop failed." }
                break
            }
        }
        hub.detach()
        lock.withLock { self.context = nil }
        lws_context_destroy(context)
        logger.info("stopped")
        stopped.signal()
    }

    /// This machine's name (`gethostname`), which the server answers to besides IP addresses and localhost.
    private static func machineName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// File descriptors libwebsockets may use: the process limit less a margin for the database, logs and
    /// outgoing connections, so that at the limit lws stops accepting instead of failing every accept.
    private static func descriptorBudget() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        let soft = Int(clamping: limit.rlim_cur)
        return soft > 256 ? soft - 64 : 0
    }
}
