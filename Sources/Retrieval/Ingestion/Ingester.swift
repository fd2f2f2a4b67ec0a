// Ingestion: a folder (or files) into the store, idempotently. Unchanged files (same size and time, or same
// content hash) are skipped without a write (a touch records a new time); changed ones are replaced; vanished ones removed. Each document is
// one transaction, so killing the process at any moment leaves a consistent database.
internal import Crypto
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
    public let store: Store
    public let reader: DocumentReader
    /// Text files (Markdown, reST, HTML, plain text) larger than this are skipped: a 50 MB "document" of text is a
    /// log or a data dump, not a manual.
    public var maxFileBytes: Int
    /// PDFs, Word, OpenDocument and EPUB files larger than this are skipped (they carry images and fonts).
    public var maxPackedFileBytes: Int

    public init(store: Store, reader: DocumentReader = DocumentReader(), maxFileBytes: Int = 20 << 20,
                maxPackedFileBytes: Int = 200 << 20) {
        self.store = store
        self.reader = reader
        self.maxFileBytes = maxFileBytes
        self.maxPackedFileBytes = maxPackedFileBytes
    }

    /// The chunker documents are cut with.
    public var chunker: Chunker { reader.chunker }

    /// Ingests the files and folders at `paths`, and removes documents that were ingested from under them and
    /// are gone. `report` hears about each file as it goes.
    public func ingest(_ paths: [String], report: (IngestEvent) -> Void = { _ in }) throws(StoreError) -> IngestSummary {
        let roots = paths.map { Files.realPath($0) ?? $0 }
        let (found, skippedFiles, missing) = Files.scan(roots)
        var summary = IngestSummary()
        summary.missing = missing
        report(.scanned(count: found.count))
        for file in skippedFiles {
            summary.skipped += 1
            report(.skipped(path: file.path, reason: file.reason))
        }
        let known = try store.documents()
        for file in found {
            let previous = known[file.path]
            if let previous, previous.size == file.size, previous.modifiedAt == file.modifiedAt,
               Self.settled(previous) {
                if let failure = previous.failure {
                    summary.skipped += 1
                    report(.skipped(path: file.path, reason: failure))
                } else {
                    summary.unchanged += 1
                    report(.unchanged(path: file.path))
                }
                continue
            }
            let limit = file.format.isBinary ? maxPackedFileBytes : maxFileBytes
            guard file.size <= limit, let bytes = Files.read(file.path, limit: limit) else {
                let reason = file.size > limit ? "larger than \(limit >> 20) MB" : "it cannot be read"
                summary.failed += 1
                report(.failed(path: file.path, reason: reason))
                continue
            }
            let hash = ByteEncoding.hex(SHA256.hash(bytes))
            if let previous, previous.contentHash == hash {
                // Record a new time, or that the file has settled since; otherwise there is nothing to write.
                if previous.modifiedAt != file.modifiedAt || Int64(time(nil)) - file.modifiedAt / 1_000_000_000 >= 2 {
                    try store.touchDocument(path: file.path, modifiedAt: file.modifiedAt)
                }
                if let failure = previous.failure {
                    summary.skipped += 1
                    report(.skipped(path: file.path, reason: failure))
                } else {
                    summary.unchanged += 1
                    report(.unchanged(path: file.path))
                }
                continue
            }
            let parsed: ParsedDocument
            do {
                parsed = try reader.read(bytes, format: file.format, path: file.path,
                                         fallbackTitle: Files.titleFromName(file.path))
            } catch {
                // Recorded, so the file is read again only when it changes (a 500-page PDF that times out is not
                // converted again on every look at the folder).
                try store.recordFailure(path: file.path, title: Files.titleFromName(file.path), contentHash: hash,
                                        size: Int64(bytes.count), modifiedAt: file.modifiedAt, reason: error.reason)
                summary.skipped += 1
                report(.skipped(path: file.path, reason: error.reason))
                continue
            }
            try store.replaceDocument(
                path: file.path, title: parsed.title, contentHash: hash, size: Int64(bytes.count),
                modifiedAt: file.modifiedAt,
                chunks: parsed.chunks.map {
                    NewChunk(ordinal: $0.ordinal, headingPath: $0.headingPath, text: $0.text, pages: $0.pages)
                })
            if previous == nil { summary.added += 1 } else { summary.changed += 1 }
            summary.chunks += parsed.chunks.count
            summary.bytes += Int64(bytes.count)
            report(.ingested(path: file.path, chunks: parsed.chunks.count, replaced: previous != nil, bytes: Int64(bytes.count)))
        }
        let present = Set(found.map(\.path))
        for path in known.keys.sorted() where !present.contains(path) && Self.isUnder(path, roots: roots) {
            try store.removeDocument(path: path)
            summary.removed += 1
            report(.removed(path: path))
        }
        return summary
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
