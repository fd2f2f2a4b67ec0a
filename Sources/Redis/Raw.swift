// Every raw hiredis call of this module lives in this file, and the dlopen that finds them.
//
// libhiredis (0.14, Debian's libhiredis0.14) is loaded the first time a connection is made
// (`dlopen("libhiredis.so.0.14")`), not when the process starts: a single-host Quarry never talks to Redis, so the
// binary does not link it and runs without it. Without it a connection throws `RedisError` of kind `.unavailable`.
//
// Threading rule (hiredis has no global state): a `redisContext` belongs to one thread at a time. `RawConnection`
// owns one context, frees it in `deinit`, and is not `Sendable`; `RedisConnection` and the subscriber's run thread
// are its single owners. Only the blocking API is used: `redisCommandArgv` for a command and its reply, and, for the
// subscriber, `redisAppendCommandArgv` + `redisBufferWrite` to send and `redisBufferRead` +
// `redisGetReplyFromReader` to read what `poll` (Subscriber+Loop.swift) says has arrived. Reads and writes are
// bounded by `redisSetTimeout` (SO_RCVTIMEO/SO_SNDTIMEO); after any failure hiredis leaves the context in error
// and it is never used again.
internal import CHiredis
internal import SharedLibrary
#if canImport(Glibc)
internal import Glibc
#endif

typealias Context = UnsafeMutablePointer<redisContext>
/// `const char **argv` and `const size_t *argvlen` of the *Argv calls.
typealias Arguments = UnsafeMutablePointer<UnsafePointer<CChar>?>

/// libhiredis's functions, found once with `dlopen`/`dlsym`.
struct LibHiredis: @unchecked Sendable {
    // @unchecked: immutable C function pointers.
    let connectTCP: @convention(c) (UnsafePointer<CChar>?, Int32, timeval) -> Context?
    let connectUnix: @convention(c) (UnsafePointer<CChar>?, timeval) -> Context?
    let setTimeout: @convention(c) (Context?, timeval) -> Int32
    let enableKeepAlive: @convention(c) (Context?) -> Int32
    let free: @convention(c) (Context?) -> Void
    let commandArgv: @convention(c) (Context?, Int32, Arguments?, UnsafePointer<Int>?) -> UnsafeMutableRawPointer?
    let appendCommandArgv: @convention(c) (Context?, Int32, Arguments?, UnsafePointer<Int>?) -> Int32
    let bufferWrite: @convention(c) (Context?, UnsafeMutablePointer<Int32>?) -> Int32
    let bufferRead: @convention(c) (Context?) -> Int32
    let getReplyFromReader: @convention(c) (Context?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    let freeReplyObject: @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// libhiredis, loaded, or why not; Swift runs a static initializer exactly once.
    static let loaded: Result<LibHiredis, RedisError> = Result { () throws(RedisError) in try LibHiredis() }

    /// `dlopen`s libhiredis and finds every function this module calls.
    private init() throws(RedisError) {
        let library: SharedLibrary
        do { library = try SharedLibrary("libhiredis.so.0.14") } catch {
            throw RedisError(.unavailable, "libhiredis could not be loaded (\(error.reason)); install libhiredis0.14")
        }
        func function<F>(_ name: String, as type: F.Type) throws(RedisError) -> F {
            do { return try library.function(name, as: type) } catch { throw RedisError(.unavailable, error.reason) }
        }
        connectTCP = try function("redisConnectWithTimeout", as: (@convention(c) (UnsafePointer<CChar>?, Int32, timeval)
                                                                  -> Context?).self)
        connectUnix = try function("redisConnectUnixWithTimeout", as: (@convention(c) (UnsafePointer<CChar>?, timeval)
                                                                       -> Context?).self)
        setTimeout = try function("redisSetTimeout", as: (@convention(c) (Context?, timeval) -> Int32).self)
        enableKeepAlive = try function("redisEnableKeepAlive", as: (@convention(c) (Context?) -> Int32).self)
        bufferRead = try function("redisBufferRead", as: type(of: enableKeepAlive))
        free = try function("redisFree", as: (@convention(c) (Context?) -> Void).self)
        commandArgv = try function("redisCommandArgv", as: (@convention(c) (
            Context?, Int32, Arguments?, UnsafePointer<Int>?) -> UnsafeMutableRawPointer?).self)
        appendCommandArgv = try function("redisAppendCommandArgv", as: (@convention(c) (
            Context?, Int32, Arguments?, UnsafePointer<Int>?) -> Int32).self)
        bufferWrite = try function("redisBufferWrite", as: (@convention(c) (Context?, UnsafeMutablePointer<Int32>?)
                                                            -> Int32).self)
        getReplyFromReader = try function("redisGetReplyFromReader", as: (@convention(c) (
            Context?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32).self)
        freeReplyObject = try function("freeReplyObject", as: (@convention(c) (UnsafeMutableRawPointer?) -> Void).self)
    }
}

/// One hiredis context: a blocking connection to one Redis, freed in `deinit`.
final class RawConnection {
    private let hiredis: LibHiredis
    private let context: Context
    /// Where it is connected, for the sentences of errors.
    let address: RedisAddress
    private var timeout: Duration

    /// Connects to `address` within `timeout` (`redisConnectWithTimeout`, `redisConnectUnixWithTimeout`), and
    /// turns on TCP keepalive (`redisEnableKeepAlive`) so that a peer that vanished is noticed by the kernel too.
    init(address: RedisAddress, timeout: Duration) throws(RedisError) {
        hiredis = try LibHiredis.loaded.get()
        self.address = address
        self.timeout = timeout
        let limit = Self.timeval(timeout)
        let made: Context? = switch address {
        case .tcp(let host, let port): hiredis.connectTCP(host, Int32(port), limit)
        case .unix(let path): hiredis.connectUnix(path, limit)
        }
        guard let made else { throw RedisError(.unavailable, "hiredis could not allocate a connection") }
        guard made.pointee.err == 0 else {
            let error = Self.connectFailure(made, address: address, timeout: timeout)
            hiredis.free(made)
            throw error
        }
        context = made
        if case .tcp = address { _ = hiredis.enableKeepAlive(context) }
    }

    deinit { hiredis.free(context) }

    /// The socket, for `poll`.
    var fileDescriptor: Int32 { context.pointee.fd }

    /// Bounds every later read and write by `timeout` (`redisSetTimeout`).
    func setTimeout(_ timeout: Duration) throws(RedisError) {
        self.timeout = timeout
        guard hiredis.setTimeout(context, Self.timeval(timeout)) == REDIS_OK else { throw failure() }
    }

    /// Sends one command and waits for its reply (`redisCommandArgv`); an error reply is returned, not thrown.
    func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        let raw = Self.withArgv(arguments) { count, argv, lengths in hiredis.commandArgv(context, count, argv, lengths) }
        guard let raw else { throw failure() }
        defer { hiredis.freeReplyObject(raw) }
        return Self.reply(raw)
    }

    /// Puts one command in the output buffer without sending it (`redisAppendCommandArgv`).
    func append(_ arguments: [[UInt8]]) throws(RedisError) {
        let code = Self.withArgv(arguments) { count, argv, lengths in
            hiredis.appendCommandArgv(context, count, argv, lengths)
        }
        guard code == REDIS_OK else { throw failure() }
    }

    /// Writes the whole output buffer (`redisBufferWrite` until it says done; each write bounded by the timeout).
    func flush() throws(RedisError) {
        var done: Int32 = 0
        while done == 0 {
            guard hiredis.bufferWrite(context, &done) == REDIS_OK else { throw failure() }
        }
    }

    /// Reads what has arrived into the reader (`redisBufferRead`: one `read`, which waits only if nothing has);
    /// the server closing the connection throws.
    func readAvailable() throws(RedisError) {
        guard hiredis.bufferRead(context) == REDIS_OK else { throw failure() }
    }

    /// The next whole reply the reader holds, or nil when it needs more bytes (`redisGetReplyFromReader`).
    func nextReply() throws(RedisError) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard hiredis.getReplyFromReader(context, &raw) == REDIS_OK else { throw failure() }
        guard let raw else { return nil }
        defer { hiredis.freeReplyObject(raw) }
        return Self.reply(raw)
    }

    /// A `redisReply` tree as a `RedisReply` (copied: hiredis frees its own).
    private static func reply(_ raw: UnsafeMutableRawPointer) -> RedisReply {
        let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
        func bytes() -> [UInt8] {
            guard let text = reply.str, reply.len > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: text, count: reply.len))
        }
        switch reply.type {
        case REDIS_REPLY_STRING: return .bulk(bytes())
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(Int64(reply.integer))
        case REDIS_REPLY_ARRAY:
            return .array((0..<reply.elements).map { index in
                reply.element[index].map { Self.reply(UnsafeMutableRawPointer($0)) } ?? .null
            })
        default: return .null  // REDIS_REPLY_NIL, and a nil array
        }
    }

    /// `arguments` as hiredis's `argc`, `argv` and `argvlen`: one buffer holding them all (binary-safe: the lengths
    /// say where each ends), and a pointer into it for each.
    private static func withArgv<R>(_ arguments: [[UInt8]],
                                    _ body: (Int32, Arguments, UnsafePointer<Int>) -> R) -> R {
        var joined: [UInt8] = []
        joined.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = [], lengths: [Int] = []
        for argument in arguments {
            offsets.append(joined.count)
            lengths.append(argument.count)
            joined += argument
        }
        joined.append(0)  // never an empty buffer, so the base address exists
        return joined.withUnsafeBytes { buffer in
            let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argv.baseAddress!, $0.baseAddress!) }
            }
        }
    }

    /// The context's error (`err`, `errstr`) as a sentence naming the server.
    private func failure() -> RedisError {
        let code = context.pointee.err
        let text = Self.errorText(context)
        switch code {
        case REDIS_ERR_EOF:
            return RedisError(.connectionLost, "Redis at \(address) closed the connection")
        case REDIS_ERR_IO where text.contains("temporarily unavailable") || text.contains("timed out"):
            return RedisError(.timedOut, "Redis at \(address) did not answer within \(Self.seconds(timeout))")
        case REDIS_ERR_IO:
            return RedisError(.connectionLost, "Lost the connection to Redis at \(address): \(text)")
        case REDIS_ERR_PROTOCOL:
            return RedisError(.protocolViolation, "Redis at \(address) sent something that is not Redis' protocol: \(text)")
        default:
            return RedisError(.connectionLost, "Redis at \(address) failed: \(text)")
        }
    }

    /// Why a connection could not be made, as a sentence naming the server.
    private static func connectFailure(_ context: Context, address: RedisAddress, timeout: Duration) -> RedisError {
        let text = errorText(context)
        if text.contains("refused") { return RedisError(.refused, "Redis at \(address) refused the connection") }
        if text.contains("No such file") {
            return RedisError(.refused, "Redis at \(address) refused the connection: there is no socket there")
        }
        if text.contains("timed out") || text.contains("in progress") {
            return RedisError(.timedOut, "Redis at \(address) did not accept the connection within \(seconds(timeout))")
        }
        return RedisError(.refused, "Could not connect to Redis at \(address): \(text)")
    }

    private static func errorText(_ context: Context) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let parts = max(duration, .milliseconds(1)).components
        return Glibc.timeval(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
    }

    private static func seconds(_ duration: Duration) -> String { "\(duration)".replacingSecondsSuffix }
}

extension String {
    /// `Duration`'s "2.0 seconds" as "2.0 s".
    fileprivate var replacingSecondsSuffix: String {
        hasSuffix(" seconds") ? String(dropLast(" seconds".count)) + " s" : self
    }
}
