// What the service thread keeps per WebSocket: its outbox, the streams it follows, its partly received message
// and its rate-limit bucket. libwebsockets' per-connection memory holds only the id that finds this.

/// One WebSocket's state. Service thread only.
final class Connection {
    let id: ConnectionID
    /// The handle, valid from ESTABLISHED until CLOSED: the whole time this object is in the table.
    let wsi: WSI
    let session: SessionID?
    let peer: String
    /// Whether a writeable callback is already asked for.
    private var writeRequested = false
    var outbox = FrameQueue()
    var subscriptions: Set<String> = []
    /// A message arriving in several pieces.
    var partial: [UInt8] = []
    /// Set when the socket is to be closed with this code at its next writeable moment.
    var closing: (code: UInt16, reason: String)?
    var bucket: TokenBucket

    init(id: ConnectionID, wsi: WSI, session: SessionID?, peer: String, bucket: TokenBucket) {
        self.id = id
        self.wsi = wsi
        self.session = session
        self.peer = peer
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

/// A token bucket: `burst` messages at once, refilled at `rate` a second.
struct TokenBucket {
    let burst: Double
    let rate: Double
    private var tokens: Double
    private var last: Double
    /// Messages refused since the last one let through.
    private(set) var refusedInARow = 0

    init(burst: Double, rate: Double, now: Double) {
        self.burst = burst
        self.rate = rate
        tokens = burst
        last = now
    }

    /// Takes a token if there is one.
    mutating func take(now: Double) -> Bool {
        tokens = min(burst, tokens + (now - last) * rate)
        last = now
        guard tokens >= 1 else {
            refusedInARow += 1
            return false
        }
        tokens -= 1
        refusedInARow = 0
        return true
    }
}
