/// Whole-buffer gzip (RFC 1952) compression and bounded decompression over zlib.
///
/// Thread-safe: every call makes its own zlib stream, and zlib keeps no other state (see `ZStream`).
public enum Gzip {
    /// The default compression level: the smallest output, for bytes compressed once and served many times.
    public static let defaultLevel = 9

    /// Compresses `bytes` into one gzip member (no file name, modification time 0, so the same input always
    /// gives the same output).
    ///
    /// Calls `deflateInit2` (through `quarry_deflate_init_gzip`), `deflate` and `deflateEnd`.
    /// - Parameter level: 0 (store) to 9 (smallest); -1 is zlib's default (6).
    /// - Throws: `GzipError.zlib` for a level outside -1...9.
    public static func compress(_ bytes: [UInt8], level: Int = defaultLevel) throws(GzipError) -> [UInt8] {
        try ZStream.deflate(bytes, level: Int32(clamping: level))
    }

    /// Decompresses gzip data, one member or several concatenated (as `gzip -dc` does), refusing to produce
    /// more than `limit` bytes: hostile input (a decompression bomb) costs at most `limit` plus 64 KiB of memory.
    ///
    /// Calls `inflateInit2` (through `quarry_inflate_init_gzip`), `inflate`, `inflateReset` and `inflateEnd`.
    /// - Parameter limit: the largest acceptable output, in bytes; output of exactly `limit` bytes is accepted.
    /// - Throws: `GzipError.limitExceeded`, `.truncated` (the input ends inside a member, or is empty),
    ///   `.corrupt` (not gzip, or a checksum mismatch).
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        precondition(limit >= 0, "a decompression limit cannot be negative")
        return try ZStream.inflate(bytes, limit: limit)
    }
}
