// What the service thread keeps per WebSocket: its outbox, the streams it follows, its partly received message
// and its rate-limit bucket. libwebsockets' per-connection memory holds only the id that finds this.
internal import Contracts
internal import Words

/// One WebSocket's state. Service thread only.
final class Connection {
    let id: ConnectionID
    /// The handle, valid from ESTABLISHED until CLOSED: the whole time this object is in the table.
    let wsi: WSI
    let session: SessionID?
    /// Whether an admin opened it: it may follow the admin pages' streams (`admin/…`).
    var isAdmin = false
    /// The client's address (`ServiceLoop.clientAddress`), the key of the per-address limits.
    let peer: String
    /// The language of the page that opened it (the server's fixed one, or its `Accept-Language`'s choice).
    let language: Language
    /// Whether a writeable callback is already asked for.
    private var writeRequested = false
    var outbox = FrameQueue()
    var subscriptions: Set<String> = [] {
        didSet { if !subscriptions.isEmpty { hasSubscribed = true } }
    }
    /// Whether the socket ever followed a stream (one that never does is closed after a grace period).
    private(set) var hasSubscribed = false
    /// A message arriving in several pieces.
    var partial: [UInt8] = []
    /// Set when the socket is to be closed with this code at its next writeable moment.
    var closing: (code: UInt16, reason: String)?
    var bucket: TokenBucket
    /// The server's own permessage-deflate compressor, when the handshake agreed to it (`SocketCompression.primed`).
    var deflate: OutboundDeflate?

    init(id: ConnectionID, wsi: WSI, session: SessionID?, peer: String, language: Language = .english,
         bucket: TokenBucket) {
        self.id = id
        self.wsi = wsi
        self.session = session
        self.peer = peer
        self.language = language
        self.bucket = bucket
    }

    /// Asks for a writeable callback unless one is already coming.
    func requestWriteable() {
        guard !writeRequested else { return }
        writeRequested = true
        wsi.requestWriteable()
    }

    /// Called when the writeable callback arrives.
    func writeableArrived() { writeRequested = false }
}

/// A token bucket: `burst` messages at once, refilled at `rate` a second. Refusals are counted over a window:
/// the first in a window earns the client one notice, and a client refused more than `10 × burst` times within
/// a window is to be closed.
struct TokenBucket {
    /// What to do with a message.
    enum Verdict: Equatable {
        case accept
        case refuse(notify: Bool)
        case refuseAndClose
    }

    static let window = 10.0
    let burst: Double
    let rate: Double
    private var tokens: Double
    private var last: Double
    private var windowStart: Double
    private var refusedInWindow = 0
    private var notified = false

    init(burst: Double, rate: Double, now: Double) {
        self.burst = burst
        self.rate = rate
        tokens = burst
        last = now
        windowStart = now
    }

    mutating func take(now: Double) -> Verdict {
        refill(now: now)
        if now - windowStart >= Self.window {
            windowStart = now
            refusedInWindow = 0
            notified = false
        }
        if tokens >= 1 {
            tokens -= 1
            return .accept
        }
        refusedInWindow += 1
        if Double(refusedInWindow) > 10 * burst { return .refuseAndClose }
        defer { notified = true }
        return .refuse(notify: !notified)
    }

    /// Spends `cost` messages' worth on work done for the client (a snapshot it asked for). The allowance may go
    /// into debt, at most one burst deep, so the messages after costly work wait until it is paid off, and a
    /// client is never locked out for longer than two bursts take to refill.
    mutating func charge(_ cost: Double, now: Double) {
        guard cost > 0 else { return }
        refill(now: now)
        tokens = max(-burst, tokens - cost)
    }

    private mutating func refill(now: Double) {
        tokens = min(burst, tokens + max(0, now - last) * rate)
        last = max(last, now)
    }
}
