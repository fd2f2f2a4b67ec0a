// The process's own figures, as Prometheus' client libraries name them (`process_…`): resident memory (the Pi's
// budget), open files against their limit (the connection cap's), and when it started. Read from /proc when
// /metrics is asked for; nothing is kept between scrapes.
import CShim
import SQLite
import Store
import Telemetry
#if canImport(Glibc)
import Glibc
#endif

enum ProcessMetrics {
    /// Registers the process's gauges, read at each scrape.
    static func register(in registry: MetricsRegistry, store: any QuarryStorage) {
        let resident = registry.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        let openFiles = registry.gauge("process_open_fds", help: "Number of open file descriptors.")
        let maxFiles = registry.gauge("process_max_fds", help: "Maximum number of open file descriptors.")
        registry.gauge("process_start_time_seconds", help: "Start time of the process since the Unix epoch in seconds.")
            .set(Double(time(nil)))
        // Part of the resident memory: SQLite's page caches fill to their cap and stay, which a soak reads apart
        // from the rest (tools/bench/soak_bench.py).
        let sqlite = registry.gauge("quarry_sqlite_memory_bytes",
                                    help: "Bytes SQLite holds on the heap, mostly its page caches (bounded by cache_size).")
        // The heap in use by every allocation (glibc's mallinfo2: small blocks in use plus blocks mapped on their own).
        // Beside the resident size it tells a leak (this grows) from a heap that only fragments (it does not).
        let heap = registry.gauge("quarry_heap_in_use_bytes",
                                  help: "Bytes of heap allocated and not yet freed, SQLite's included (glibc mallinfo2).")
        // Of that, each connection's page cache: the writer's keeps what it wrote, the reader's is dropped whenever
        // another connection wrote (docs/limits.md).
        func cache(_ connection: String) -> Gauge {
            registry.gauge("quarry_sqlite_page_cache_bytes",
                           help: "Bytes of one SQLite connection's page cache, when it was last used.",
                           labels: [("connection", connection)])
        }
        let caches = (store as? Store).map { (store: $0, writer: cache("writer"), reader: cache("reader")) }
        registry.onScrape {
            sqlite.set(Double(SQLiteLibrary.memoryUsed))
            if let caches {
                let bytes = caches.store.pageCacheBytes
                caches.writer.set(Double(bytes.writer))
                caches.reader.set(Double(bytes.reader))
            }
            heap.set(Double(quarry_heap_in_use()))
            if let bytes = residentBytes() { resident.set(bytes) }
            if let count = openFileCount() { openFiles.set(count) }
            var limit = rlimit()
            if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFiles.set(Double(limit.rlim_cur)) }
        }
    }

    /// Resident pages (`/proc/self/statm`'s second field) in bytes.
    static func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Entries of `/proc/self/fd`, less the one the count itself opens.
    static func openFileCount() -> Int? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
        }
        return count - 1
    }
}
