// What a documents folder holds, as ingestion would see it, without reading any file: for `quarry doctor`.

extension Ingester {
    /// A look at a documents folder: the files ingestion would read, and those it passes over with why.
    public struct Survey: Sendable, Equatable {
        /// Files of a supported format.
        public var supported: Int
        /// Bytes in them.
        public var bytes: Int64
        /// Files passed over, each with its one-line reason (a format Quarry does not read, a link leading outside).
        public var skipped: [(path: String, reason: String)]

        public static func == (a: Self, b: Self) -> Bool {
            a.supported == b.supported && a.bytes == b.bytes
                && a.skipped.map(\.path) == b.skipped.map(\.path) && a.skipped.map(\.reason) == b.skipped.map(\.reason)
        }
    }

    /// Walks `folder` as ingestion does (`Files.scan`): nil when it does not exist.
    public static func survey(_ folder: String) -> Survey? {
        let (found, skipped, missing) = Files.scan([folder])
        guard missing.isEmpty else { return nil }
        return Survey(supported: found.count, bytes: found.reduce(0) { $0 + $1.size },
                      skipped: skipped.map { ($0.path, $0.reason) })
    }
}
