// An incremental Server-Sent Events parser over bytes (WHATWG HTML, "Server-sent events", §9.2.5–9.2.6).
//
// How it works. Bytes arrive in chunks cut anywhere. `feed` scans each chunk once for CR and LF; every complete
// line is handled straight out of the chunk when nothing of it was carried over, otherwise the carried bytes and
// the rest of the line are joined in `partialLine` first. The bytes after the last line end are carried to the next
// chunk. A CR that ends a chunk ends its line at once; `skipLF` remembers to drop an LF that starts the next chunk,
// so a CRLF cut in two is one line end, not a line end and an empty line (which would dispatch early). Lines are
// handled as the spec says:
//
//   empty line        dispatch the event: if it has data, hand it on; reset data and type either way
//   `:…`              a comment (keep-alive): ignored
//   `name:value`      a field; one space after the colon is dropped, only one
//   `name`            a field with an empty value
//
// Fields: `data` appends a line to the event's data (lines joined with `\n`), `event` sets its type, `id` sets the
// last event ID (unless it contains NUL), `retry` sets `reconnectionTime` (digits only). Any other field is ignored,
// with one deliberate exception: `error`, which some llama.cpp server builds use for a failure mid-stream
// (`error: {"code":500,"message":"…"}` then a blank line). The spec would drop it silently and the answer would
// look merely cut off; here it counts as a `data` line and gives the event the type `error`.
//
// Everything stays bytes until dispatch, so a character cut between chunks needs no care; the data is decoded as
// UTF-8 once per event, invalid bytes becoming U+FFFD. A UTF-8 byte-order mark at the very start of the stream
// is skipped, even when it arrives a byte at a time.
//
// End of stream (`finish`): the spec discards an event that has no blank line after it. Some servers close right
// after their last line (llama.cpp builds that end with `data: [DONE]\n`), or even in the middle of it, so `finish`
// handles an unterminated last line as a line and then dispatches the pending event, as if a blank line had come.
//
// Memory is bounded: the line being read plus the data of the event being built may not exceed `limit` bytes;
// beyond that `feed` throws `LLMError.badResponse`, so a server that never sends a line end cannot fill memory.

/// An incremental Server-Sent Events parser over bytes; see the comment at the top of this file for the rules.
///
/// Feed it the body of a `text/event-stream` response as it arrives, chunk by chunk, in order; call `finish()`
/// when the body ends. After `feed` throws, the stream is broken: do not feed the parser again.
internal struct SSEParser: Sendable {
    /// The default bound on a line plus the data of the event being built: 1 MiB.
    internal static let defaultLimit = 1 << 20

    /// The bound on the line being read plus the data of the event being built, in bytes.
    internal let limit: Int
    /// The reconnection time in milliseconds, from the last valid `retry:` field; nil when none came.
    internal private(set) var reconnectionTime: Int?

    /// The bytes of the line being read, when it started in an earlier chunk.
    private var partialLine: [UInt8] = []
    /// The data of the event being built: its `data` lines joined with LF.
    private var data: [UInt8] = []
    /// How many `data` lines the event being built has; it is dispatched only when this is not zero.
    private var dataLines = 0
    /// The event type buffer (`event:`); empty means `message`.
    private var eventType: [UInt8] = []
    /// The last event ID buffer (`id:`); it outlives the event, as the spec says.
    private var lastEventID: [UInt8] = []
    /// The previous chunk ended with CR, so an LF at the start of the next one completes that line end.
    private var skipLF = false
    /// The first bytes of the stream while they could still be a byte-order mark; nil once that is settled.
    private var streamStart: [UInt8]? = []

    /// A parser that refuses a line plus event data over `limit` bytes.
    internal init(limit: Int = SSEParser.defaultLimit) {
        precondition(limit > 0, "the SSE limit must be positive")
        self.limit = limit
    }

    /// Parses the next chunk of the stream and returns the events it completed, in order.
    ///
    /// - Throws: `LLMError.badResponse` when a line plus the data of its event would exceed `limit`.
    internal mutating func feed(_ bytes: some Collection<UInt8>) throws(LLMError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        if var start = streamStart {
            // Only while the stream's first three bytes are not all in: they may be a byte-order mark.
            start.append(contentsOf: bytes)
            if start.count < Self.byteOrderMark.count, Self.byteOrderMark.starts(with: start) {
                streamStart = start
                return []
            }
            streamStart = nil
            let skip = start.starts(with: Self.byteOrderMark) ? Self.byteOrderMark.count : 0
            try start.withUnsafeBufferPointer { buffer throws(LLMError) in
                try scan(UnsafeBufferPointer(rebasing: buffer[skip...]), into: &events)
            }
            return events
        }
        let result: Result<Void, LLMError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(LLMError) in try scan(buffer, into: &events) }
        }
        if let result {
            try result.get()
        } else {
            try Array(bytes).withUnsafeBufferPointer { buffer throws(LLMError) in try scan(buffer, into: &events) }
        }
        return events
    }

    /// Ends the stream: handles an unterminated last line and dispatches the pending event, if it has data (a
    /// deliberate leniency, see the top of this file). The parser is then ready for a new stream; the last event
    /// ID and reconnection time are kept, as an EventSource keeps them across reconnections.
    internal mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if let start = streamStart, !start.isEmpty {
            // A stream of one or two bytes that began like a byte-order mark; they hold no CR or LF.
            partialLine = start
        }
        if !partialLine.isEmpty {
            // Within the limit: `feed` checked the carried bytes plus the event's data.
            let line = partialLine
            line.withUnsafeBufferPointer { handleLine($0, into: &events) }
        }
        dispatch(into: &events)
        partialLine = []
        skipLF = false
        streamStart = []
        return events
    }

    // MARK: Lines

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    /// Splits `buffer` into lines, handles each complete one, and carries the rest over to the next chunk.
    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) throws(LLMError) {
        let count = buffer.count
        var index = 0
        if skipLF, count > 0 {
            skipLF = false
            if buffer[0] == Self.lf { index = 1 }
        }
        var lineStart = index
        while index < count {
            let byte = buffer[index]
            if byte > Self.cr || (byte != Self.lf && byte != Self.cr) {  // most bytes are above CR (13)
                index += 1
                continue
            }
            try completeLine(UnsafeBufferPointer(rebasing: buffer[lineStart..<index]), into: &events)
            index += 1
            if byte == Self.cr {
                if index < count {
                    if buffer[index] == Self.lf { index += 1 }
                } else {
                    skipLF = true
                }
            }
            lineStart = index
        }
        if lineStart < count {
            let rest = count - lineStart
            try checkLimit(partialLine.count + rest)
            partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[lineStart..<count]))
        }
    }

    /// Handles a line whose end was just found: `tail` joined to whatever was carried over from earlier chunks.
    private mutating func completeLine(
        _ tail: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]
    ) throws(LLMError) {
        if partialLine.isEmpty {
            try checkLimit(tail.count)
            handleLine(tail, into: &events)
            return
        }
        try checkLimit(partialLine.count + tail.count)
        // Moved out of `self` while it is read, so that handling the line may mutate `self`.
        var line: [UInt8] = []
        swap(&line, &partialLine)
        line.append(contentsOf: tail)
        line.withUnsafeBufferPointer { handleLine($0, into: &events) }
        line.removeAll(keepingCapacity: line.capacity <= 64 * 1024)
        swap(&line, &partialLine)
    }

    /// Throws when a line of `lineLength` bytes on top of the data of the event being built would pass the limit.
    private func checkLimit(_ lineLength: Int) throws(LLMError) {
        guard lineLength + data.count > limit else { return }
        throw LLMError.badResponse(
            message: "the event stream sent an event or line longer than \(limit) bytes without ending it"
        )
    }

    /// Handles one complete line, without its line end.
    private mutating func handleLine(_ line: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        guard let first = line.first else {
            dispatch(into: &events)
            return
        }
        if first == Self.colon { return }  // a comment: servers send them to keep the connection alive
        let name: UnsafeBufferPointer<UInt8>
        let value: UnsafeBufferPointer<UInt8>
        if let colon = line.firstIndex(of: Self.colon) {
            name = UnsafeBufferPointer(rebasing: line[..<colon])
            let valueStart = colon + 1 < line.count && line[colon + 1] == Self.space ? colon + 2 : colon + 1
            value = UnsafeBufferPointer(rebasing: line[valueStart...])
        } else {
            name = line
            value = UnsafeBufferPointer(rebasing: line[line.count...])
        }
        if Self.is(name, "data") {
            appendData(value)
        } else if Self.is(name, "event") {
            eventType.removeAll(keepingCapacity: true)
            eventType.append(contentsOf: value)
        } else if Self.is(name, "id") {
            if !value.contains(0) {
                lastEventID.removeAll(keepingCapacity: true)
                lastEventID.append(contentsOf: value)
            }
        } else if Self.is(name, "retry") {
            if let milliseconds = Self.decimal(value) { reconnectionTime = milliseconds }
        } else if Self.is(name, "error") {
            // llama.cpp's `error:` line (see the top of this file).
            eventType = Array("error".utf8)
            appendData(value)
        }
    }

    private mutating func appendData(_ value: UnsafeBufferPointer<UInt8>) {
        if dataLines > 0 { data.append(Self.lf) }
        data.append(contentsOf: value)
        dataLines += 1
    }

    /// Dispatches the event being built, when it has data, and starts the next one.
    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            eventType.removeAll(keepingCapacity: true)
            data.removeAll(keepingCapacity: data.capacity <= 64 * 1024)
            dataLines = 0
        }
        guard dataLines > 0 else { return }
        events.append(
            SSEEvent(
                type: eventType.isEmpty ? "message" : String(decoding: eventType, as: UTF8.self),
                data: String(decoding: data, as: UTF8.self),
                id: lastEventID.isEmpty ? "" : String(decoding: lastEventID, as: UTF8.self)
            )
        )
    }

    /// Whether the field name `name` is `field`.
    private static func `is`(_ name: UnsafeBufferPointer<UInt8>, _ field: StaticString) -> Bool {
        guard name.count == field.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: field.utf8Start, count: field.utf8CodeUnitCount)
        for index in 0..<name.count where name[index] != expected[index] { return false }
        return true
    }

    /// The value of `retry:`: ASCII digits only (else nil, and the field is ignored); nil too when it overflows.
    private static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var result = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            result = sum
        }
        return result
    }
}
