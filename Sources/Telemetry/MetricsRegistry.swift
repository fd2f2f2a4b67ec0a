// Quarry's metrics, in Prometheus' text format (0.0.4), through swift-prometheus: the one file that imports it.
//
// Why swift-prometheus and not our own: it imports no Foundation (its only dependencies are swift-atomics and
// swift-metrics' CoreMetrics, which imports only the C library), its counters and gauges are atomics, and it writes
// the exposition format into a byte array, escaping label values and help as the format asks. What it costs the
// binary is measured in docs/metrics.md.
//
// One registry per process, made by the executable; each module that reports makes its own metrics from it
// (`ServerMetrics`, `ChatMetrics`, …) and keeps them. Values another module owns (sockets open, answers running)
// are not copied as they change: they are read from their owner when the page is scraped (`onScrape`).
internal import Locking
internal import Prometheus

/// Where every metric is registered, and what a scrape of `/metrics` returns.
public final class MetricsRegistry: Sendable {
    private let registry = PrometheusCollectorRegistry()
    /// Readers run before each scrape: they set gauges from the values' owners.
    private let readers = Locked<[@Sendable () -> Void]>([])

    public init() {}

    /// The content type of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A counter named `name` (by convention ending in `_total`) with these labels; asking again for the same name
    /// and labels gives the same counter.
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        Counter(base: registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels))
    }

    /// A gauge named `name` with these labels.
    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        Gauge(base: registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels))
    }

    /// A histogram of seconds (or any other unit) named `name`, counted in `buckets` (upper bounds, ascending;
    /// `+Inf` is added).
    public func histogram(_ name: String, help: String, buckets: [Double], labels: [(String, String)] = []) -> Histogram {
        Histogram(base: registry.makeValueHistogram(descriptor: Self.descriptor(name, help), labels: labels,
                                                     buckets: buckets))
    }

    /// A whole name (no unit added: names say theirs, as `_seconds` or `_total`) and its help.
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Runs `read` before every scrape, to set gauges from the values' owners.
    public func onScrape(_ read: @escaping @Sendable () -> Void) {
        readers.withLock { $0.append(read) }
    }

    /// Every metric, in Prometheus' text exposition format 0.0.4.
    public func exposition() -> [UInt8] {
        for read in readers.current { read() }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }
}

/// A number that only goes up.
public struct Counter: Sendable {
    let base: Prometheus.Counter

    /// Adds `amount` (1 unless told).
    public func increment(by amount: Int = 1) {
        base.increment(by: Int64(amount))
    }
}

/// A number that is set, up or down.
public struct Gauge: Sendable {
    let base: Prometheus.Gauge

    /// Sets the value.
    public func set(_ value: Double) { base.set(to: value) }
    /// Sets the value.
    public func set(_ value: Int) { base.set(to: Double(value)) }
}

/// Observations counted in buckets, with their sum and count.
public struct Histogram: Sendable {
    let base: ValueHistogram

    /// Records one observation.
    public func record(_ value: Double) { base.record(value) }

    /// Records a duration in seconds.
    public func record(_ duration: Duration) {
        base.record(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
