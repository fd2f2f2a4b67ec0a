// Every raw zlib call of this module lives in this file.
//
// Threading rule (zlib 1.2.13): zlib has no global mutable state; a `z_stream` belongs to one thread at a time.
// Each `Gzip` call creates, uses and ends its own stream on the calling thread, so calls may run concurrently.
// A `z_stream` must not move after `deflateInit2`/`inflateInit2`: zlib stores a pointer back to it and checks it
// on every call, so it lives on the heap, never in a Swift `var`.
internal import CZlib

/// One heap-allocated `z_stream`, initialised for gzip deflate or inflate and ended in `deinit`.
final class ZStream {
    private enum Direction { case deflate, inflate }

    /// Bytes of output produced per `deflate`/`inflate` call.
    private static let pieceSize = 64 * 1024

    private let stream: UnsafeMutablePointer<z_stream>
    private let direction: Direction

    private init(_ direction: Direction, start: (UnsafeMutablePointer<z_stream>) -> Int32) throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())  // zalloc, zfree and opaque nil: zlib's own allocator
        self.direction = direction
        let code = start(stream)
        // On failure `deinit` still runs (every stored property is set); `deflateEnd`/`inflateEnd` then see no
        // state and return without touching anything.
        try Self.check(code, stream: nil)
    }

    deinit {
        switch direction {
        case .deflate: deflateEnd(stream)
        case .inflate: inflateEnd(stream)
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` into one gzip member with `deflate`, feeding it in pieces zlib's 32-bit counters can hold.
    static func deflate(_ input: [UInt8], level: Int32) throws(GzipError) -> [UInt8] {
        let zstream = try ZStream(.deflate) { quarry_deflate_init_gzip($0, level) }
        var output: [UInt8] = []
        try zstream.pump(input) { (code: Int32, done: Bool) throws(GzipError) -> Bool in
            if code == Z_STREAM_END { return true }
            // Z_BUF_ERROR only means "no progress this call" (it is not fatal for deflate).
            guard code == Z_OK || code == Z_BUF_ERROR else { throw error(code, stream: zstream.stream) }
            return false
        } step: { stream, inputDone in
            CZlib.deflate(stream, inputDone ? Z_FINISH : Z_NO_FLUSH)
        } collect: { (piece: UnsafeBufferPointer<UInt8>) throws(GzipError) in
            output.append(contentsOf: piece)
        }
        return output
    }

    /// Compresses one message as a raw deflate stream flushed to a byte boundary (`Z_SYNC_FLUSH`), after priming
    /// the compressor with `dictionary` (`deflateSetDictionary`): what permessage-deflate sends, tail included.
    static func deflateMessage(_ input: [UInt8], dictionary: [UInt8], windowBits: Int32, memoryLevel: Int32,
                               level: Int32) throws(GzipError) -> [UInt8] {
        let zstream = try ZStream(.deflate) { quarry_deflate_init_raw($0, level, windowBits, memoryLevel) }
        if !dictionary.isEmpty {
            let code = dictionary.withUnsafeBufferPointer {
                deflateSetDictionary(zstream.stream, $0.baseAddress, UInt32($0.count))
            }
            try check(code, stream: zstream.stream)
        }
        var output: [UInt8] = []
        try zstream.pump(input) { (code: Int32, inputDone: Bool) throws(GzipError) -> Bool in
            guard code == Z_OK || code == Z_BUF_ERROR else { throw error(code, stream: zstream.stream) }
            // Flushed once all input is in and zlib left room in the output: it had nothing more to say.
            return inputDone && zstream.stream.pointee.avail_in == 0 && zstream.stream.pointee.avail_out > 0
        } step: { stream, inputDone in
            CZlib.deflate(stream, inputDone ? Z_SYNC_FLUSH : Z_NO_FLUSH)
        } collect: { (piece: UnsafeBufferPointer<UInt8>) throws(GzipError) in
            output.append(contentsOf: piece)
        }
        return output
    }

    /// Decompresses `input` with `inflate`, member after member, failing once output passes `limit` bytes.
    static func inflate(_ input: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        let zstream = try ZStream(.inflate) { quarry_inflate_init_gzip($0) }
        var output: [UInt8] = []
        try zstream.pump(input) { (code: Int32, inputDone: Bool) throws(GzipError) -> Bool in
            switch code {
            case Z_OK:
                return false
            case Z_STREAM_END:
                if inputDone && zstream.stream.pointee.avail_in == 0 { return true }
                // Another member follows: start over on the remaining input, as `gzip -dc` does.
                try check(inflateReset(zstream.stream), stream: zstream.stream)
                return false
            case Z_BUF_ERROR where inputDone && zstream.stream.pointee.avail_in == 0:
                throw GzipError.truncated
            case Z_BUF_ERROR:
                return false
            default:
                throw error(code, stream: zstream.stream)
            }
        } step: { stream, _ in
            CZlib.inflate(stream, Z_NO_FLUSH)
        } collect: { (piece: UnsafeBufferPointer<UInt8>) throws(GzipError) in
            guard piece.count <= limit - output.count else { throw GzipError.limitExceeded(limit: limit) }
            output.append(contentsOf: piece)
        }
        return output
    }

    /// Calls `step` until `finished` says the stream is complete, handing zlib the input in pieces of at most
    /// `UInt32.max` bytes (`avail_in` is 32-bit) and each piece of output to `collect`.
    private func pump(
        _ input: [UInt8],
        finished: (_ code: Int32, _ inputDone: Bool) throws(GzipError) -> Bool,
        step: (UnsafeMutablePointer<z_stream>, _ inputDone: Bool) -> Int32,
        collect: (UnsafeBufferPointer<UInt8>) throws(GzipError) -> Void
    ) throws(GzipError) {
        var piece = [UInt8](repeating: 0, count: Self.pieceSize)
        let result: Result<Void, GzipError> = input.withUnsafeBufferPointer { inputBuffer in
            piece.withUnsafeMutableBufferPointer { pieceBuffer in
                var fed = 0
                while true {
                    if stream.pointee.avail_in == 0 && fed < inputBuffer.count {
                        let count = min(inputBuffer.count - fed, Int(UInt32.max))
                        // zlib is built without ZLIB_CONST, but it never writes through next_in.
                        stream.pointee.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress! + fed)
                        stream.pointee.avail_in = UInt32(count)
                        fed += count
                    }
                    stream.pointee.next_out = pieceBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(pieceBuffer.count)
                    let inputDone = fed == inputBuffer.count
                    let code = step(stream, inputDone)
                    let produced = pieceBuffer.count - Int(stream.pointee.avail_out)
                    do throws(GzipError) {
                        try collect(UnsafeBufferPointer(rebasing: pieceBuffer[..<produced]))
                        if try finished(code, inputDone) { return .success(()) }
                    } catch {
                        return .failure(error)
                    }
                }
            }
        }
        // The buffers are gone: leave no dangling pointers in the stream.
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        try result.get()
    }

    /// Throws unless `code` is `Z_OK`.
    private static func check(_ code: Int32, stream: UnsafeMutablePointer<z_stream>?) throws(GzipError) {
        guard code == Z_OK else { throw error(code, stream: stream) }
    }

    /// The `GzipError` for a zlib return code, with the stream's message or else `zError`'s.
    private static func error(_ code: Int32, stream: UnsafeMutablePointer<z_stream>?) -> GzipError {
        let message = stream?.pointee.msg.map { String(cString: $0) } ?? String(cString: zError(code))
        return code == Z_DATA_ERROR ? .corrupt(message: message) : .zlib(code: code, message: message)
    }
}
