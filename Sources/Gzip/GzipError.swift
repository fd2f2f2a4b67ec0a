/// Why `Gzip` could not compress or decompress.
public enum GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Decompressing would produce more than `limit` bytes; nothing is returned.
    case limitExceeded(limit: Int)
    /// The input ends before its gzip stream does (or is empty).
    case truncated
    /// The input is not gzip data or fails its checksum; `message` is zlib's (`Z_DATA_ERROR`).
    case corrupt(message: String)
    /// zlib refused for another reason: its return `code` (`Z_STREAM_ERROR`, `Z_MEM_ERROR`, `Z_VERSION_ERROR`…)
    /// and message.
    case zlib(code: Int32, message: String)

    /// A sentence for the log.
    public var description: String {
        switch self {
        case .limitExceeded(let limit): "gzip data decompresses to more than \(limit) bytes"
        case .truncated: "gzip data ends too early"
        case .corrupt(let message): "gzip data is corrupt: \(message)"
        case .zlib(let code, let message): "zlib error \(code): \(message)"
        }
    }
}
