// Zip archives (the containers of .docx, .odt and .epub) read with libzip, with limits on what comes out, so a zip
// bomb named `.docx` costs a bounded amount of memory and time. Raw.swift holds the calls.

/// An entry of an archive.
public struct ZipEntry: Sendable, Equatable {
    /// Its position in the archive.
    public var index: Int
    /// Its path inside the archive (`word/document.xml`).
    public var name: String
    public var compressedSize: Int64
    /// The size the archive says it has when inflated (it can lie; reads count what actually comes out).
    public var declaredSize: Int64
    public var encrypted: Bool
}

/// Why an archive or one of its entries could not be read.
public enum ZipError: Error, Equatable, Sendable {
    /// The bytes are not a zip archive.
    case notZip
    /// The archive is truncated or corrupt.
    case damaged(String)
    /// The entry is not in the archive.
    case missingEntry(String)
    /// The entry inflates past the limit (or past the archive's budget).
    case entryTooLarge(String, limit: Int)
    /// The entry inflates far beyond its compressed size: the shape of a zip bomb.
    case suspiciousRatio(String)
    /// The entry is password-protected.
    case encrypted(String)
    /// libzip could not be loaded (not installed): the reason.
    case unavailable(String)

    /// One line for the person running ingestion.
    public var reason: String {
        switch self {
        case .notZip: "it is not a zip archive, as this format must be (damaged, or misnamed?)"
        case .damaged(let detail): "the archive is damaged (\(detail))"
        case .missingEntry(let name): "the archive has no \(name): damaged, or not this format?"
        case .entryTooLarge(let name, let limit):
            "\(name) inflates to more than \(limit >> 20) MB (refused: a zip bomb, or far too big to read)"
        case .suspiciousRatio(let name):
            "\(name) inflates more than \(ZipArchive.maximumRatio) times its packed size (refused as a zip bomb)"
        case .encrypted: "it is password-protected: save an unprotected copy"
        case .unavailable(let detail): "Quarry cannot read zip archives: \(detail)"
        }
    }
}

/// A zip archive in memory. Not thread-safe: one thread at a time.
public final class ZipArchive {
    /// The most an entry may inflate relative to its compressed size, once it is past `ratioFloor` bytes. Real
    /// office XML compresses 10–30 times; a bomb compresses a thousand times and more.
    public static let maximumRatio: Int64 = 200
    /// Entries smaller than this are never judged by their ratio.
    public static let ratioFloor = 1 << 20

    private let raw: RawArchive
    /// The entries, in the archive's order.
    public let entries: [ZipEntry]
    /// Bytes all reads together may still inflate.
    private var budget: Int

    /// Opens an archive from its bytes. `budget` bounds the bytes all reads from it together may inflate.
    public init(bytes: [UInt8], budget: Int = 256 << 20) throws(ZipError) {
        raw = try RawArchive(bytes)
        entries = raw.entries()
        self.budget = budget
    }

    /// The entry named `name` (exact, case-sensitive as zip names are), or nil.
    public func entry(named name: String) -> ZipEntry? {
        entries.first { $0.name == name }
    }

    /// The inflated bytes of the entry named `name`, at most `limit` bytes (and within the archive's budget). Throws
    /// for a missing or encrypted entry, one that inflates past the limit or beyond `maximumRatio`, or damage.
    public func read(_ name: String, limit: Int) throws(ZipError) -> [UInt8] {
        guard let entry = entry(named: name) else { throw .missingEntry(name) }
        return try read(entry, limit: limit)
    }

    /// The inflated bytes of `entry`; see `read(_:limit:)`.
    public func read(_ entry: ZipEntry, limit: Int) throws(ZipError) -> [UInt8] {
        if entry.encrypted { throw .encrypted(entry.name) }
        let allowed = min(limit, budget)
        if entry.declaredSize > Int64(allowed) { throw .entryTooLarge(entry.name, limit: allowed) }
        let bytes = try raw.read(index: entry.index, name: entry.name, limit: allowed)
        if bytes.count > Self.ratioFloor, Int64(bytes.count) > Self.maximumRatio * max(entry.compressedSize, 1) {
            throw .suspiciousRatio(entry.name)
        }
        budget -= bytes.count
        return bytes
    }
}
