// Ingestion: a folder (or files) into the store, idempotently. Unchanged files (same size and time, or same
// content hash) are skipped without a write (a touch records a new time); changed ones are replaced; vanished ones removed. Each document is
// one transaction, so killing the process at any moment leaves a consistent database.
internal import Crypto
internal import Locking
public import Store
#if canImport(Glibc)
internal import Glibc
#endif

/// What one ingestion did.
public struct IngestSummary: Sendable, Equatable {
    public var added = 0
    public var changed = 0
    public var unchanged = 0
    public var removed = 0
    public var skipped = 0
    public var failed = 0
    /// Chunks written.
    public var chunks = 0
    /// Bytes of the files read and parsed.
    public var bytes: Int64 = 0
    /// Paths given that do not exist.
    public var missing: [String] = []

    public init() {}

    /// Whether anything in the store changed.
    public var changedStore: Bool { added + changed + removed > 0 }
}

/// What happened to one file, for progress output.
public enum IngestEvent: Sendable, Equatable {
    /// Scanning found `count` candidate files.
    case scanned(count: Int)
    /// A file was ingested (`chunks` chunks), `replaced` if it had been before.
    case ingested(path: String, chunks: Int, replaced: Bool, bytes: Int64)
    case unchanged(path: String)
    case removed(path: String)
    case skipped(path: String, reason: String)
    case failed(path: String, reason: String)
}

/// Reads documents into the store. Synchronous and blocking (file I/O, SQLite, converters): run it on its own thread.
public struct Ingester: Sendable {
    public let store: any KnowledgeStorage
    public let reader: DocumentReader
    /// Text files (Markdown, reST, HTML, plain text) larger than this are skipped: a 50 MB "document" of text is a
    /// log or a data dump, not a manual.
    public var maxFileBytes: Int
    /// PDFs, Word, OpenDocument and EPUB files larger than this are skipped (they carry images and fonts).
    public var maxPackedFileBytes: Int
    /// How many documents go into one transaction.
    public var batchLimits = BatchLimits()
    /// The most bytes of read documents waiting between the reading and the storing thread.
    public var pipelineBytes = 8 << 20

    public init(store: any KnowledgeStorage, reader: DocumentReader = DocumentReader(), maxFileBytes: Int = 20 << 20,
                maxPackedFileBytes: Int = 200 << 20) {
        self.store = store
        self.reader = reader
        self.maxFileBytes = maxFileBytes
        self.maxPackedFileBytes = maxPackedFileBytes
    }

    /// The chunker documents are cut with.
    public var chunker: Chunker { reader.chunker }

    /// Ingests the files and folders at `paths`, and removes documents that were ingested from under them and
    /// are gone. `report` hears about each file once what happened to it is stored.
    public func ingest(_ paths: [String], report: (IngestEvent) -> Void = { _ in }) throws(StoreError) -> IngestSummary {
        let roots = paths.map { Files.realPath($0) ?? $0 }
        let (found, skippedFiles, missing) = Files.scan(roots)
        var batch = Batch(store: store, limits: batchLimits)
        batch.summary.missing = missing
        report(.scanned(count: found.count))
        for file in skippedFiles {
            batch.summary.skipped += 1
            report(.skipped(path: file.path, reason: file.reason))
        }
        let known = try store.documents()
        // Two stages on two threads: files are read, hashed and cut into chunks on one while the store writes the
        // previous ones on this one (a small machine has two cores; SQLite's FTS5 indexing is the other half of the
        // work). Between them at most `pipelineBytes` of read files wait. The store commits what it has whenever
        // nothing more is waiting, rather than wait for a batch to fill while the reader catches up: so its batches
        // are as large as the reader gets ahead, up to `batchLimits`, and it is never idle while it holds work (or
        // holds it for longer than `batchLimits.interval`).
        let work = Handoff<Work>(budget: pipelineBytes)
        let producer = spawnThread { [self] in
            for file in found {
                let item = prepare(file, previous: known[file.path])
                guard work.put(item, cost: item.cost) else { return }
            }
            work.finish()
        }
        if producer == nil {
            // No thread to be had: read everything here first, then store it.
            for file in found { _ = work.put(prepare(file, previous: known[file.path]), cost: 0) }
            work.finish()
        }
        defer {
            work.finish()
            producer?.join()
        }
        reading: while true {
            let item: Work
            if let wait = batch.timeLeft {
                // Holding changes: wait for more only until the batch is `interval` old, then commit it, so what was
                // read before a slow file (a long PDF) is stored while that one converts.
                switch work.take(waitingAtMost: wait) {
                case .element(let next): item = next
                case .timedOut:
                    try batch.flush().forEach(report)
                    continue reading
                case .finished: break reading
                }
            } else {
                guard let next = work.take() else { break reading }
                item = next
            }
            switch item {
            case .unchanged(let path, let failure):
                report(batch.unchanged(path, failure: failure))
            case .failed(let path, let reason):
                batch.summary.failed += 1
                report(.failed(path: path, reason: reason))
            case .change(let change, let bytes, let event):
                try batch.add(change, bytes: bytes, event: event, moreWaiting: !work.isEmpty).forEach(report)
            case .touched(let change, let path, let failure):
                try batch.add(change, bytes: 0, event: nil, moreWaiting: !work.isEmpty).forEach(report)
                report(batch.unchanged(path, failure: failure))
            }
        }
        let present = Set(found.map(\.path))
        for path in known.keys.sorted() where !present.contains(path) && Self.isUnder(path, roots: roots) {
            try batch.add(.remove(path: path), bytes: 0, event: IngestEvent.removed(path: path)).forEach(report)
        }
        try batch.flush().forEach(report)
        return batch.summary
    }

    /// What the reading stage hands the storing stage for one file.
    private enum Work: Sendable {
        /// Found unchanged by its size and time (or hash); `failure` if it could not be read before.
        case unchanged(path: String, failure: String?)
        /// Unchanged by its hash, with a new time to record.
        case touched(DocumentChange, path: String, failure: String?)
        /// Could not even be read from disk.
        case failed(path: String, reason: String)
        /// A document to store (or a failure to record), its source bytes and the event once stored.
        case change(DocumentChange, bytes: Int, event: IngestEvent)

        /// What it costs to hold while it waits: about its text, twice (the source and its chunks).
        var cost: Int {
            if case .change(_, let bytes, _) = self { return 2 * bytes + 1024 }
            return 256
        }
    }

    /// Reads, hashes and parses one file (no store access: this runs on the reading thread).
    private func prepare(_ file: FoundFile, previous: DocumentRecord?) -> Work {
        if let previous, previous.size == file.size, previous.modifiedAt == file.modifiedAt, Self.settled(previous) {
            return .unchanged(path: file.path, failure: previous.failure)
        }
        let limit = file.format.isBinary ? maxPackedFileBytes : maxFileBytes
        guard file.size <= limit, let bytes = Files.read(file.path, limit: limit) else {
            return .failed(path: file.path, reason: file.size > limit ? "larger than \(limit >> 20) MB" : "it cannot be read")
        }
        let hash = ByteEncoding.hex(SHA256.hash(bytes))
        if let previous, previous.contentHash == hash {
            // Record a new time, or that the file has settled since; otherwise there is nothing to write.
            if previous.modifiedAt != file.modifiedAt || Int64(time(nil)) - file.modifiedAt / 1_000_000_000 >= 2 {
                return .touched(.touch(path: file.path, modifiedAt: file.modifiedAt), path: file.path,
                                failure: previous.failure)
            }
            return .unchanged(path: file.path, failure: previous.failure)
        }
        let size = Int64(bytes.count)
        let parsed: ParsedDocument
        do {
            parsed = try reader.read(bytes, format: file.format, path: file.path,
                                     fallbackTitle: Files.titleFromName(file.path))
        } catch {
            // Recorded, so the file is read again only when it changes (a 500-page PDF that times out is not
            // converted again on every look at the folder).
            let change = DocumentChange.failure(path: file.path, title: Files.titleFromName(file.path),
                                                contentHash: hash, size: size, modifiedAt: file.modifiedAt,
                                                reason: error.reason)
            return .change(change, bytes: 0, event: .skipped(path: file.path, reason: error.reason))
        }
        let chunks = parsed.chunks.map {
            NewChunk(ordinal: $0.ordinal, headingPath: $0.headingPath, text: $0.text, pages: $0.pages)
        }
        let change = DocumentChange.replace(path: file.path, title: parsed.title, contentHash: hash, size: size,
                                            modifiedAt: file.modifiedAt, chunks: chunks)
        return .change(change, bytes: bytes.count,
                       event: .ingested(path: file.path, chunks: chunks.count, replaced: previous != nil, bytes: size))
    }

    /// When a batch of changes is committed: at whichever limit comes first.
    public struct BatchLimits: Sendable {
        /// Bytes of source read into the batch.
        public var bytes = 4 << 20
        /// Changes in the batch.
        public var changes = 256
        /// Time since the batch's first change: what a kill loses at most, and how stale progress may be.
        public var interval: Duration = .milliseconds(250)

        public init() {}
    }

    /// Changes waiting for their transaction, and the events to report once it commits.
    private struct Batch {
        let store: any KnowledgeStorage
        let limits: BatchLimits
        var summary = IngestSummary()
        private var changes: [DocumentChange] = []
        private var events: [IngestEvent] = []
        private var bytes = 0
        private var started = ContinuousClock.now

        init(store: any KnowledgeStorage, limits: BatchLimits) {
            self.store = store
            self.limits = limits
        }

        /// A file found unchanged, counted; its event (with its stored failure, if it could not be read) is reported
        /// at once, as there is nothing to store.
        mutating func unchanged(_ path: String, failure: String?) -> IngestEvent {
            if let failure {
                summary.skipped += 1
                return .skipped(path: path, reason: failure)
            }
            summary.unchanged += 1
            return .unchanged(path: path)
        }

        /// Adds a change; returns the events to report now: those of the batch, if this change filled it or
        /// `moreWaiting` is false (nothing more to add yet, so the store would otherwise sit idle until more comes).
        mutating func add(_ change: DocumentChange, bytes: Int, event: IngestEvent?, moreWaiting: Bool = true)
            throws(StoreError) -> [IngestEvent] {
            if changes.isEmpty { started = .now }
            changes.append(change)
            if let event { events.append(event) }
            self.bytes += bytes
            let full = self.bytes >= limits.bytes || changes.count >= limits.changes
            // Not a few kilobytes at a time, though: every commit leaves a segment in the full-text index, and
            // past 16 of them SQLite merges them, which costs more than the wait.
            let idle = !moreWaiting && self.bytes >= limits.bytes / 16
            return full || idle || ContinuousClock.now - started >= limits.interval ? try flush() : []
        }

        /// How much longer the batch may wait for more changes before it is committed; nil when it is empty.
        var timeLeft: Duration? {
            changes.isEmpty ? nil : limits.interval - (ContinuousClock.now - started)
        }

        /// Commits the batch; returns its events, counted.
        mutating func flush() throws(StoreError) -> [IngestEvent] {
            try store.apply(changes)
            let committed = events
            for event in events {
                switch event {
                case .ingested(_, let chunks, let replaced, let size):
                    if replaced { summary.changed += 1 } else { summary.added += 1 }
                    summary.chunks += chunks
                    summary.bytes += size
                case .skipped: summary.skipped += 1
                case .removed: summary.removed += 1
                case .scanned, .unchanged, .failed: break
                }
            }
            changes.removeAll(keepingCapacity: true)
            events.removeAll(keepingCapacity: true)
            bytes = 0
            return committed
        }
    }

    /// Whether a document's recorded size and time can be trusted to mean "unchanged": only if the file was
    /// already two seconds old when it was read. A file written again within the same tick of the file system's
    /// clock (coarse on some file systems), at the same size, would otherwise look untouched (git calls this
    /// "racily clean"); such a file is read and hashed again until it settles.
    static func settled(_ document: DocumentRecord) -> Bool {
        document.ingestedAt - document.modifiedAt / 1_000_000_000 >= 2
    }

    /// Whether `path` is one of `roots` or inside one of them.
    static func isUnder(_ path: String, roots: [String]) -> Bool {
        roots.contains { root in
            path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        }
    }
}
