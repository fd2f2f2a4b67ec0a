// Everything the server can be told, with defaults that suit a small box.

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

    /// A configuration; every parameter has the default documented on its property.
    public init(
        host: String? = "127.0.0.1",
        port: Int = 8080,
        allowedOrigins: [String] = [],
        maxConnections: Int = 10_000,
        maxMessageBytes: Int = 64 * 1024,
        messageBurst: Double = 40,
        messagesPerSecond: Double = 10,
        maxQueuedMessages: Int = 1024,
        maxQueuedBytes: Int = 4 * 1024 * 1024,
        messageDeadlineSeconds: Int = 10,
        maxPartialBytesTotal: Int = 32 * 1024 * 1024,
        maxSubscriptionsPerConnection: Int = 64,
        pingAfterSeconds: Int = 30,
        hangUpAfterSeconds: Int = 75,
        receiveBufferBytes: Int = 1024,
        shutdownGraceSeconds: Double = 3
    ) {
        self.host = host
        self.port = port
        self.allowedOrigins = allowedOrigins
        self.maxConnections = maxConnections
        self.maxMessageBytes = maxMessageBytes
        self.messageBurst = messageBurst
        self.messagesPerSecond = messagesPerSecond
        self.maxQueuedMessages = maxQueuedMessages
        self.maxQueuedBytes = maxQueuedBytes
        self.messageDeadlineSeconds = messageDeadlineSeconds
        self.maxPartialBytesTotal = maxPartialBytesTotal
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.pingAfterSeconds = pingAfterSeconds
        self.hangUpAfterSeconds = hangUpAfterSeconds
        self.receiveBufferBytes = receiveBufferBytes
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }
}
