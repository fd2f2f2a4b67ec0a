// What the server reports to the metrics registry: its sockets, and who was refused. The counts of open sockets
// are the service thread's own (`ServiceLoop.sockets`); they are read when `/metrics` is asked for, on that thread.
internal import Telemetry

/// The server's metrics, made once in a registry.
struct ServerMetrics: Sendable {
    let registry: MetricsRegistry
    let socketsOpen: Gauge
    let socketPeers: Gauge
    let socketsOpened: Counter
    let metricsRefused: Counter
    private let refusals: [SocketRefusal: Counter]

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        socketsOpen = registry.gauge("quarry_sockets_open", help: "WebSockets open now (one per browser tab).")
        socketPeers = registry.gauge("quarry_socket_peers", help: "Client addresses with a WebSocket open now.")
        socketsOpened = registry.counter("quarry_sockets_opened_total", help: "WebSockets opened since the start.")
        metricsRefused = registry.counter("quarry_metrics_refused_total",
                                          help: "Requests for /metrics refused: their address is not in QUARRY_METRICS_ALLOW.")
        refusals = Dictionary(uniqueKeysWithValues: SocketRefusal.allCases.map { reason in
            (reason, registry.counter("quarry_sockets_refused_total", help: "WebSocket handshakes refused, by reason.",
                                      labels: [("reason", reason.rawValue)]))
        })
    }

    func refused(_ reason: SocketRefusal) { refusals[reason]?.increment() }
}

/// Why a WebSocket handshake was refused, as the metrics name it.
enum SocketRefusal: String, CaseIterable, Sendable {
    /// The server is shutting down.
    case shuttingDown = "shutting_down"
    /// Another path than the socket's.
    case path
    /// A host name or origin the server does not answer to.
    case origin
    /// `maxConnections` reached.
    case full
    /// `maxConnectionsPerPeer` reached for the address.
    case peer
    /// Nobody signed in (password mode), or not through the sign-in proxy (proxy mode).
    case signIn = "sign_in"
}
