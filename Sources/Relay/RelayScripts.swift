// The relay's keys, channels, scripts and message format in Redis: each step that must not be split (take a gate and
// read the sequence; check the gate, number a frame, publish it and give the gate back) is one Lua script, which Redis
// runs whole before any other command.
//
// Keys (in the URL's database) and channels (pub/sub ignores the database, so its number is in every name, and two
// sites sharing one Redis on databases of their own never hear each other):
//   PREFIX:seq            the global sequence: one INCR per frame published, whatever its stream
//   PREFIX:gate:STREAM    STREAM's gate: a token, while a host publishes to STREAM or reads its snapshot
//   PREFIX:answer:ID      an answer in progress as its pages have it (RedisAnswers.swift)
//   PREFIX:rate:KEY       the questions of a session or an address in the last window (RedisRates.swift)
//   PREFIX:hold:KEY       the answers a session or an address holds, running or waiting (RedisHolds.swift)
//   PREFIX:s:STREAM       the channel of STREAM's frames; PREFIX:s: alone carries a host's sync markers
// where PREFIX is `quarry:DB`.
//
// A message: "N FLAG\n" then the frame's bytes, N the frame's number in the sequence and FLAG `-` (a frame), `r` (a
// fresh snapshot for STREAM's followers after it: the gate was lost, or frames went to one host only) or `s` (a sync
// marker, no stream).

/// Names and scripts of the relay on one Redis database.
struct RelayNames: Sendable {
    let prefix: String

    init(database: Int) { prefix = "quarry:\(database)" }

    var sequence: [UInt8] { Array("\(prefix):seq".utf8) }
    func gate(_ stream: String) -> [UInt8] { Array("\(prefix):gate:\(stream)".utf8) }
    func answer(_ id: Int64) -> [UInt8] { Array("\(prefix):answer:\(id)".utf8) }
    func rate(_ key: String) -> [UInt8] { Array("\(prefix):rate:\(key)".utf8) }
    func hold(_ key: String) -> [UInt8] { Array("\(prefix):hold:\(key)".utf8) }
    var channelPrefix: String { "\(prefix):s:" }
    func channel(_ stream: String) -> [UInt8] { Array((channelPrefix + stream).utf8) }
    /// The pattern every host subscribes to: every stream's channel, and the sync markers'.
    var pattern: String { channelPrefix + "*" }
}

/// What one relayed message says.
struct RelayMessage: Equatable {
    enum Flag: UInt8 {
        case frame = 0x2D  // "-"
        case refresh = 0x72  // "r"
        case sync = 0x73  // "s"
    }

    let number: UInt64
    let flag: Flag
    let frame: ArraySlice<UInt8>

    /// Reads a message's payload; nil when it is not one of ours.
    init?(_ payload: [UInt8]) {
        guard let space = payload.firstIndex(of: 0x20), let newLine = payload.firstIndex(of: 0x0A),
              space > 0, newLine == space + 2, let flag = Flag(rawValue: payload[space + 1]) else { return nil }
        var number: UInt64 = 0
        for digit in payload[..<space] {
            guard (0x30...0x39).contains(digit) else { return nil }
            let (times, overflow) = number.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            number = times + UInt64(digit - 0x30)
        }
        self.number = number
        self.flag = flag
        frame = payload[(newLine + 1)...]
    }
}

enum RelayScripts {
    /// KEYS: the gate, the sequence. ARGV: a token, the gate's expiry in ms. Takes the gate if it is free (or the
    /// token has it already: the script may be sent twice) and returns the sequence's number (0 before the first
    /// publish); -1 when another holds it.
    static let take = """
        if redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return tonumber(redis.call('GET', KEYS[2]) or '0')
        end
        return -1
        """

    /// KEYS: the gate, the sequence. ARGV: the token, the channel, the frame. Publishes the frame with the next
    /// number and gives the gate back, as one step; a gate that expired meanwhile (someone else may have published)
    /// is said in the flag, so every follower takes a fresh snapshot. An empty frame only gives the gate back.
    /// Returns the frame's number (0: nothing published).
    static let publish = """
        local held = redis.call('GET', KEYS[1]) == ARGV[1]
        if held then redis.call('DEL', KEYS[1]) end
        if held and ARGV[3] == '' then return 0 end
        local n = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[2], n .. (held and ' -\\n' or ' r\\n') .. ARGV[3])
        return n
        """

    /// KEYS: the gate. ARGV: the token. Gives the gate back if it is still the token's; 1 if it was.
    static let release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    /// KEYS: the sequence. ARGV: the channel, the flag (`r` or `s`). A marker with the next number and no frame.
    static let marker = """
        local n = redis.call('INCR', KEYS[1])
        redis.call('PUBLISH', ARGV[1], n .. ' ' .. ARGV[2] .. '\\n')
        return n
        """

    /// KEYS: one sorted set per limit (the places held, each scored by when it expires, in ms of Redis' clock: an
    /// answer held, or a question counted for a window). ARGV: a place's expiry in ms, the token, then each limit's
    /// most. Holds a place in every set if each has room (the token's own place counts as room: the script may be
    /// sent twice) and returns 0; otherwise, holding nothing, {the 1-based index of the first full one, ms until it
    /// has room if nothing is given back}.
    static let hold = """
        redis.replicate_commands()
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local expiry = tonumber(ARGV[1])
        for i, key in ipairs(KEYS) do
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
          local most = tonumber(ARGV[i + 2])
          if not redis.call('ZSCORE', key, ARGV[2]) and redis.call('ZCARD', key) >= most then
            local freed = redis.call('ZRANGE', key, -most, -most, 'WITHSCORES')
            return {i, math.max(1, tonumber(freed[2]) - now)}
          end
        end
        for _, key in ipairs(KEYS) do
          redis.call('ZADD', key, now + expiry, ARGV[2])
          redis.call('PEXPIRE', key, expiry)
        end
        return 0
        """

    /// KEYS: the answer's hash. ARGV: its expiry in ms, thread, steps (one per line), `+` (the reasoning goes after
    /// what is kept, which is ARGV[8] bytes long) or `=` (it replaces it), the reasoning, the number of blocks, the
    /// index of the first block given, the kept reasoning's length, then the blocks from there on. Blocks past the
    /// number go. Safe to run twice (an addition already made is not made again); returns -1, writing nothing, when
    /// what is kept is not what the change applies to (the kept reasoning neither as long as said nor already added
    /// to, or the hash gone while the change is not the whole answer): the caller writes the answer whole.
    static let recordAnswer = """
        local key = KEYS[1]
        local before = tonumber(redis.call('HGET', key, 'n') or '0')
        local count = tonumber(ARGV[6])
        if redis.call('EXISTS', key) == 0 and (tonumber(ARGV[7]) > 0 or ARGV[4] == '+') then return -1 end
        if ARGV[4] == '=' then
          redis.call('HSET', key, 'reasoning', ARGV[5])
        elseif ARGV[5] ~= '' then
          local kept = redis.call('HGET', key, 'reasoning') or ''
          local length = tonumber(ARGV[8])
          if #kept == length then
            redis.call('HSET', key, 'reasoning', kept .. ARGV[5])
          elseif #kept ~= length + #ARGV[5] then
            return -1
          end
        end
        redis.call('HSET', key, 'thread', ARGV[2], 'steps', ARGV[3], 'n', ARGV[6])
        local first = tonumber(ARGV[7])
        for i = 9, #ARGV do redis.call('HSET', key, 'b' .. (first + i - 9), ARGV[i]) end
        for i = count, before - 1 do redis.call('HDEL', key, 'b' .. i) end
        redis.call('PEXPIRE', key, ARGV[1])
        return count
        """
}
