// Everything the server can be told, with defaults that suit a small box.
public import Words

/// How the server listens and what it tolerates from clients.
public struct ServerConfiguration: Sendable {
    /// Address to listen on: an IPv4/IPv6 address, or nil for every interface.
    public var host: String?
    /// TCP port; 0 picks a free one (see ``Server/port``).
    public var port: Int
    /// Origins allowed to open the socket, such as `https://kiosk.example.org`. Empty: only pages served by this
    /// host (the `Origin` must name the same host and port as the request's `Host`).
    public var allowedOrigins: [String]
    /// Most WebSocket connections held at once; more are refused.
    public var maxConnections: Int
    /// Most WebSocket connections from one client address; more are refused with 429. Behind a reverse proxy
    /// every client has the proxy's address (see ``trustedProxies``), so raise it there.
    public var maxConnectionsPerPeer: Int
    /// Seconds a socket may stay open without following any stream; then it is closed with 1008.
    public var subscribeGraceSeconds: Int
    /// Seconds a client has to send a request's headers once it has begun; slower ones are dropped.
    public var headerDeadlineSeconds: Int
    /// Most connections from one client address that are still sending request headers (or idle between
    /// requests); a new connection past it is closed at once. Trusted proxies are not capped.
    public var maxPendingHeadersPerPeer: Int
    /// Requests whose headers are read at once; more wait for a free slot (libwebsockets' header pool).
    public var headerSlots: Int
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (for the per-address limits) and
    /// whose `X-Forwarded-Proto: https` marks the session cookie `Secure`. Empty: no header is believed.
    public var trustedProxies: [String]
    /// Largest message a client may send; a bigger one closes the socket with 1009.
    public var maxMessageBytes: Int
    /// Messages a client may send in a burst before it must slow down.
    public var messageBurst: Double
    /// Messages per second a client may send once its burst is spent.
    public var messagesPerSecond: Double
    /// Most envelopes waiting for one client; a client this far behind is disconnected.
    public var maxQueuedMessages: Int
    /// Most bytes waiting for one client; a client this far behind is disconnected.
    public var maxQueuedBytes: Int
    /// Seconds a client may take to finish a message it sends in pieces; slower ones are dropped.
    public var messageDeadlineSeconds: Int
    /// Most bytes of half-received messages held across all sockets; past it, the socket adding more is closed
    /// with 1013 (try again later).
    public var maxPartialBytesTotal: Int
    /// Most bytes of half-received messages held for one client address; past it, that address's socket holding
    /// the most is closed with 1013. When the total budget is full, the socket holding the most is closed instead
    /// of the one that asks for room.
    public var maxPartialBytesPerPeer: Int
    /// Most streams one socket may follow.
    public var maxSubscriptionsPerConnection: Int
    /// Idle seconds before the server pings a socket.
    public var pingAfterSeconds: Int
    /// Idle seconds (no pong, no message) before the server hangs up.
    public var hangUpAfterSeconds: Int
    /// libwebsockets' receive buffer per connection, in bytes: most of a socket's memory. Bigger messages still
    /// arrive, in several pieces.
    public var receiveBufferBytes: Int
    /// Seconds a graceful shutdown waits for sockets to close before it stops anyway.
    public var shutdownGraceSeconds: Double
    /// permessage-deflate (RFC 7692) for the sockets of clients that offer it; nil sends every frame uncompressed.
    public var compression: SocketCompression?
    /// The language of every page and socket; nil: each browser's own, from its `Accept-Language` (English when
    /// it prefers none of Quarry's).
    public var language: Language?
    /// Kiosk mode, for a shared screen: no conversation list, large type and targets, and a visitor's conversation
    /// cleared after this many seconds without a touch (the last ``KioskTiming/countdownSeconds`` of them
    /// counted down on the screen). nil: a normal page.
    public var kiosk: KioskTiming?
    /// Who may read `/metrics` (when the server is given a metrics registry): these addresses and networks, by the
    /// client's address as the per-address limits see it. ``MetricsAccess/off``: the endpoint is not found.
    public var metricsAccess: MetricsAccess
    /// Who may use the page (`--auth`): anyone (the default), the people a trusted proxy names, or built-in
    /// accounts. Sign-in modes need the server's `signIns` (password) or `trustedProxies` (proxy).
    public var access: AccessConfiguration

    /// A configuration; every parameter has the default documented on its property.
    public init(
        host: String? = "127.0.0.1",
        port: Int = 8080,
        allowedOrigins: [String] = [],
        maxConnections: Int = 10_000,
        maxConnectionsPerPeer: Int = 64,
        subscribeGraceSeconds: Int = 20,
        headerDeadlineSeconds: Int = 5,
        maxPendingHeadersPerPeer: Int = 64,
        headerSlots: Int = 256,
        trustedProxies: [String] = [],
        maxMessageBytes: Int = 64 * 1024,
        messageBurst: Double = 40,
        messagesPerSecond: Double = 10,
        maxQueuedMessages: Int = 1024,
        maxQueuedBytes: Int = 4 * 1024 * 1024,
        messageDeadlineSeconds: Int = 10,
        maxPartialBytesTotal: Int = 32 * 1024 * 1024,
        maxPartialBytesPerPeer: Int = 4 * 1024 * 1024,
        maxSubscriptionsPerConnection: Int = 64,
        pingAfterSeconds: Int = 30,
        hangUpAfterSeconds: Int = 75,
        receiveBufferBytes: Int = 1024,
        shutdownGraceSeconds: Double = 3,
        compression: SocketCompression? = .standard,
        language: Language? = nil,
        kiosk: KioskTiming? = nil,
        metricsAccess: MetricsAccess = .loopback,
        access: AccessConfiguration = AccessConfiguration()
    ) {
        self.host = host
        self.port = port
        self.allowedOrigins = allowedOrigins
        self.maxConnections = maxConnections
        self.maxConnectionsPerPeer = maxConnectionsPerPeer
        self.subscribeGraceSeconds = subscribeGraceSeconds
        self.headerDeadlineSeconds = headerDeadlineSeconds
        self.maxPendingHeadersPerPeer = maxPendingHeadersPerPeer
        self.headerSlots = headerSlots
        self.trustedProxies = trustedProxies
        self.maxMessageBytes = maxMessageBytes
        self.messageBurst = messageBurst
        self.messagesPerSecond = messagesPerSecond
        self.maxQueuedMessages = maxQueuedMessages
        self.maxQueuedBytes = maxQueuedBytes
        self.messageDeadlineSeconds = messageDeadlineSeconds
        self.maxPartialBytesTotal = maxPartialBytesTotal
        self.maxPartialBytesPerPeer = maxPartialBytesPerPeer
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.pingAfterSeconds = pingAfterSeconds
        self.hangUpAfterSeconds = hangUpAfterSeconds
        self.receiveBufferBytes = receiveBufferBytes
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.compression = compression
        self.language = language
        self.kiosk = kiosk
        self.metricsAccess = metricsAccess
        self.access = access
    }
}

/// How long a kiosk waits for a touch before it starts over.
public struct KioskTiming: Sendable, Equatable {
    /// Seconds without a touch after which the visitor's conversation is cleared, countdown included.
    public var idleSeconds: Int
    /// The countdown shown before the clear: a quarter of the idle time, at least 1 and at most 30 seconds.
    public var countdownSeconds: Int { max(1, min(30, idleSeconds / 4)) }

    /// A kiosk that starts over after `idleSeconds` (at least 2) without a touch.
    public init(idleSeconds: Int = 120) {
        self.idleSeconds = max(2, idleSeconds)
    }
}

/// How frames are compressed for clients that offer permessage-deflate (RFC 7692), and what it costs.
///
/// zlib holds about 2^(windowBits+2) + 2^(memoryLevel+9) bytes plus 6 KiB while it compresses a message, and
/// 2^windowBits bytes plus 7 KiB while it inflates one. libwebsockets adds, for the socket's life, about 300 bytes
/// and one buffer of each size below, allocated the first time a frame is compressed or a compressed message
/// arrives. With ``standard`` a socket keeps no zlib state between messages, only the last 2^windowBits bytes the
/// server sent it (``primed``), and costs about 1.8 KiB more than an uncompressed one; see `docs/performance.md`.
public struct SocketCompression: Sendable, Equatable {
    /// The server's LZ77 window in bits (9...15); clients that let the server cap theirs are asked to use it too.
    /// With a client that does not (Firefox offers the bare extension), both directions use 15 bits: lws sizes its
    /// compressor and inflater from one setting.
    public var windowBits: Int
    /// zlib's `memLevel` (1...9): the size of the compressor's hash table and block buffer.
    public var memoryLevel: Int
    /// zlib's compression level (0...9).
    public var level: Int
    /// Whether the server keeps its compressor from one message to the next. Kept, a stream of small frames
    /// compresses about six times better, but the compressor then stays with every socket that ever received a
    /// frame; not kept, the server promises `server_no_context_takeover` and frees it after every message.
    public var keepsContext: Bool
    /// Whether the server compresses each message itself, with a compressor made for that message and primed with
    /// the last 2^windowBits bytes it sent on the socket (`MessageDeflate`), instead of leaving it to lws. The
    /// client keeps its inflater's context, so a message compresses as well as with a kept compressor (a stream
    /// of small envelopes to about a fifth), while the server keeps only that window per socket (1 KiB with
    /// 10 bits) rather than a compressor's state. Takes precedence over ``keepsContext``.
    public var primed: Bool
    /// Whether clients may keep their compressor between messages. Allowed, the server must keep an inflater
    /// for every socket that ever sent a compressed message; not allowed, the server asks for
    /// `client_no_context_takeover` and frees its inflater after every message.
    public var clientsKeepContext: Bool
    /// Largest compressed piece libwebsockets sends at once (a power of two, 128...32768); more goes out as
    /// further fragments of the same message, one per writeable callback. Held for the socket's life.
    public var outputBufferBytes: Int
    /// Largest inflated piece handed to the server at once (a power of two, 128...1024, at most the receive
    /// buffer). Held for the socket's life.
    public var inputBufferBytes: Int

    /// A setting; every parameter has the value of ``standard``.
    public init(
        windowBits: Int = 10,
        memoryLevel: Int = 2,
        level: Int = 6,
        keepsContext: Bool = false,
        primed: Bool = true,
        clientsKeepContext: Bool = false,
        outputBufferBytes: Int = 256,
        inputBufferBytes: Int = 128
    ) {
        self.windowBits = windowBits
        self.memoryLevel = memoryLevel
        self.primed = primed
        self.level = level
        self.keepsContext = keepsContext
        self.clientsKeepContext = clientsKeepContext
        self.outputBufferBytes = outputBufferBytes
        self.inputBufferBytes = inputBufferBytes
    }

    /// Quarry's choice: 10-bit windows, memLevel 2, level 6, each message compressed by the server primed with the
    /// last kilobyte it sent (no zlib state kept between messages), 256-byte output and 128-byte input buffers.
    public static let standard = SocketCompression()

    /// What libwebsockets 4.1 does when left alone: 15-bit windows, memLevel 8, level 1, both contexts kept
    /// (about 300 KB per socket once a frame went each way). For comparison only.
    public static let libwebsocketsDefaults = SocketCompression(
        windowBits: 15, memoryLevel: 8, level: 1, keepsContext: true, primed: false, clientsKeepContext: true,
        outputBufferBytes: 1024, inputBufferBytes: 1024)
}
