// `GET /metrics` on the service thread: the socket counts are this thread's, so they are read here, then the
// registry writes every metric (docs/metrics.md). Only addresses in `ServerConfiguration.metricsAccess` get them.
internal import Logging
internal import Telemetry

extension ServiceLoop {
    /// The address metrics are served at.
    static let metricsPath = "/metrics"

    /// The response to a request for `/metrics`, or nil when the request is not one (or the endpoint is off).
    func metricsResponse(_ wsi: WSI, _ request: HTTPRequest) -> HTTPResponse? {
        guard request.path == Self.metricsPath, request.method == "GET" || request.method == "HEAD",
              let metrics, configuration.metricsAccess.isOn else { return nil }
        let peer = clientAddress(wsi)
        guard configuration.metricsAccess.allows(peer) else {
            metrics.metricsRefused.increment()
            warn("refused /metrics to an address QUARRY_METRICS_ALLOW does not list", ["peer": "\(peer)"])
            return .text(403, "Metrics are not served to your address.")
        }
        metrics.socketsOpen.set(sockets.count)
        metrics.socketPeers.set(socketsByPeer.count)
        var response = HTTPResponse(status: 200, contentType: MetricsRegistry.contentType,
                                    headers: [("cache-control", "no-store")], body: metrics.registry.exposition())
        if request.method == "HEAD" { response.body = [] }
        return response
    }
}
