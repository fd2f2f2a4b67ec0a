// Tokens of FTS5 rows computed ahead of their insert, in one flat buffer: what a tokenizer on one thread hands the
// connection on another to replay (`Connection+TokenReplay.swift`).
//
// Layout, per column in order: the byte count of the column's records (4 bytes, little-endian), then one record per
// token: LEB128 varints of (start − the previous token's start), (end − start), (token length × 2 + 1 if it has
// flags), the flags if any, then the token's bytes. About 9 bytes a token for English prose, against 16 + the
// token for four 32-bit integers and the bytes.

/// The tokens of one FTS5 row's indexed columns, as a tokenizer produced them: each token's bytes, flags and byte
/// range in its column's text, and the texts they were computed from (shared with the caller's strings, not copied).
public struct FTS5Tokens: Sendable, Equatable {
    let bytes: [UInt8]
    let texts: [String]

    /// The bytes they take: what holding them costs.
    public var byteCount: Int { bytes.count }
}

/// One column's records within `FTS5Tokens`, replayed in order.
struct FTS5ColumnTokens {
    let tokens: FTS5Tokens
    let records: Range<Int>

    /// Calls `body` with each token's flags, bytes, length, start and end, in order, until it returns non-zero
    /// (SQLITE_OK is 0); that code, or 0.
    func forEach(_ body: (Int32, UnsafeRawPointer, Int32, Int32, Int32) -> Int32) -> Int32 {
        tokens.bytes.withUnsafeBytes { buffer in
            var cursor = buffer.baseAddress! + records.lowerBound
            let limit = buffer.baseAddress! + records.upperBound
            var start: Int32 = 0
            while cursor < limit {
                start += Self.read(&cursor)
                let end = start + Self.read(&cursor)
                let length = Self.read(&cursor)
                let flags = length & 1 == 1 ? Self.read(&cursor) : 0
                let count = length >> 1
                let code = body(flags, cursor, count, start, end)
                if code != 0 { return code }
                cursor += Int(count)
            }
            return 0
        }
    }

    /// Reads a LEB128 varint at `cursor` and moves past it.
    @inline(__always)
    private static func read(_ cursor: inout UnsafeRawPointer) -> Int32 {
        let first = cursor.load(as: UInt8.self)
        cursor += 1
        if first < 0x80 { return Int32(first) }
        var value = UInt32(first & 0x7F)
        var shift: UInt32 = 7
        while true {
            let byte = cursor.load(as: UInt8.self)
            cursor += 1
            value |= UInt32(byte & 0x7F) << shift
            if byte < 0x80 { return Int32(bitPattern: value) }
            shift += 7
        }
    }
}

/// Where a tokenizer's tokens are written while it runs: one row's columns in turn (`beginColumn`, the tokens,
/// `endColumn`), then `take`.
///
/// The tokenizer's callback writes through `buffer`, a pointer that never changes, into memory of its own: no
/// retain, no exclusivity check and no array bookkeeping per token (those had cost more than the tokenizing).
final class TokenSink {
    let buffer = UnsafeMutablePointer<TokenBuffer>.allocate(capacity: 1)

    init() { buffer.initialize(to: TokenBuffer()) }

    deinit {
        buffer.pointee.storage.deallocate()
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    /// Starts a column: its length is filled in by `endColumn`.
    func beginColumn() { buffer.pointee.beginColumn() }

    func endColumn() { buffer.pointee.endColumn() }

    /// The row's tokens, computed from `texts`, exactly sized (nil if they were out of order); the sink is empty
    /// again, its memory kept.
    func take(texts: [String]) -> FTS5Tokens? {
        defer { buffer.pointee.clear() }
        let written = buffer.pointee
        guard written.inOrder else { return nil }
        let bytes = Array(UnsafeBufferPointer(start: written.storage.baseAddress, count: written.count))
        return FTS5Tokens(bytes: bytes, texts: texts)
    }
}

/// The bytes a `TokenSink` has written so far.
struct TokenBuffer {
    var storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 4096)
    var count = 0
    private var columnStart = 0
    private var previousStart: Int32 = 0
    /// False once a token started before the previous one or ended before it started: such tokens are not kept
    /// (no tokenizer of SQLite's does that; the layout could not say it).
    private(set) var inOrder = true

    mutating func beginColumn() {
        reserve(4)
        columnStart = count
        count += 4
        previousStart = 0
    }

    mutating func endColumn() {
        let length = UInt32(truncatingIfNeeded: count - columnStart - 4)
        for i in 0..<4 { storage[columnStart + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
    }

    mutating func clear() {
        count = 0
        inOrder = true
    }

    /// Appends one token as the tokenizer's `xToken` callback received it.
    mutating func append(flags: Int32, token: UnsafeRawPointer?, length: Int, start: Int32, end: Int32) {
        guard start >= previousStart, end >= start, length >= 0 else {
            inOrder = false
            return
        }
        // Four varints of at most 5 bytes each, then the token.
        if count + 20 + length > storage.count { grow(to: count + 20 + length) }
        var out = storage.baseAddress! + count
        out = Self.write(UInt32(start - previousStart), at: out)
        out = Self.write(UInt32(end - start), at: out)
        out = Self.write(UInt32(length) << 1 | (flags != 0 ? 1 : 0), at: out)
        if flags != 0 { out = Self.write(UInt32(bitPattern: flags), at: out) }
        if let token, length > 0 {
            // Most tokens are a few bytes: a loop is cheaper than a call to memcpy.
            if length <= 16 {
                for i in 0..<length { out[i] = token.load(fromByteOffset: i, as: UInt8.self) }
            } else {
                UnsafeMutableRawPointer(out).copyMemory(from: token, byteCount: length)
            }
            out += length
        }
        count = out - storage.baseAddress!
        previousStart = start
    }

    private mutating func grow(to bytes: Int) {
        let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(storage.count * 2, bytes))
        larger.baseAddress!.update(from: storage.baseAddress!, count: count)
        storage.deallocate()
        storage = larger
    }

    private mutating func reserve(_ bytes: Int) {
        if count + bytes > storage.count { grow(to: count + bytes) }
    }

    /// Writes `value` as a LEB128 varint at `out`; where the next byte goes.
    @inline(__always)
    private static func write(_ value: UInt32, at out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        if value < 0x80 {
            out.pointee = UInt8(truncatingIfNeeded: value)
            return out + 1
        }
        var value = value
        var out = out
        while value >= 0x80 {
            out.pointee = UInt8(truncatingIfNeeded: value) | 0x80
            out += 1
            value >>= 7
        }
        out.pointee = UInt8(truncatingIfNeeded: value)
        return out + 1
    }
}
