// What the relay reports to `/metrics`, for a person watching a site of several hosts: frames published through
// Redis and relayed from it, frames that reached this host's pages only (Redis away), the fresh snapshots given
// because frames may have been missed (and why), and whether the relay is in step now.
public import Telemetry

/// The relay's metrics, made once in a registry.
struct RelayMetrics: Sendable {
    /// Why pages were given fresh snapshots.
    enum RefreshReason: String, CaseIterable, Sendable {
        /// The subscription was lost and is back.
        case resubscribed
        /// A gap in the sequence.
        case gap
        /// Another host's marker: it published to pages here alone meanwhile, or its gate expired.
        case marker
        /// A publish here whose fate is not known, or a snapshot read before the relay caught up.
        case uncertain
    }

    let published: Counter
    let relayed: Counter
    let localOnly: Counter
    let refreshes: [RefreshReason: Counter]
    let inStep: Gauge

    init(_ registry: MetricsRegistry) {
        published = registry.counter("quarry_relay_published_total",
                                     help: "Frames this host published through Redis to every host's pages.")
        relayed = registry.counter("quarry_relay_frames_total",
                                   help: "Frames relayed from Redis to this host's pages, every host's publishes.")
        localOnly = registry.counter("quarry_relay_local_only_total",
                                     help: "Frames sent to this host's pages only, because Redis could not be reached.")
        refreshes = Dictionary(uniqueKeysWithValues: RefreshReason.allCases.map {
            ($0, registry.counter("quarry_relay_refreshes_total",
                                  help: "Times this host's pages were given fresh snapshots because frames may have been missed, by why.",
                                  labels: [("reason", $0.rawValue)]))
        })
        inStep = registry.gauge("quarry_relay_in_step",
                                help: "1 while the Redis subscription is up and in step with the sequence, else 0.")
    }
}
