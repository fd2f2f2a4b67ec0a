// What stands in front of the sign-in form: a token that ties each form to the browser it was given to (CSRF), and
// growing waits after failed tries, per account name and per address, so guessing a password takes years.
internal import Contracts
internal import Crypto
internal import Locking

/// The hidden token of Quarry's forms: the browser session's id, signed. A form posted from another site's page
/// carries the browser's cookie (SameSite=Lax stops most of that already) but cannot carry this token.
struct FormTokens: Sendable {
    /// The form field that carries the token.
    static let field = "form_token"
    private let signer: MessageSigner

    init(secret: [UInt8]) {
        signer = MessageSigner(secret: secret, purpose: "form")
    }

    /// The token for forms shown to `session`'s browser.
    func token(for session: SessionID) -> String { signer.sign(session.rawValue) }

    /// Whether `token` is one given to `session`'s browser.
    func accepts(_ token: String?, for session: SessionID) -> Bool {
        guard let token, let payload = signer.verify(token) else { return false }
        return payload == session.rawValue
    }
}

/// Failed sign-ins per account name and per client address. The first few cost nothing; after them each try
/// must wait twice as long as the one before, up to five minutes, counted from the last failure. An hour without a
/// failure forgets them. Any thread.
final class SignInThrottle: Sendable {
    private struct Failures {
        var count: Int
        var last: Double
    }

    private struct Tallies {
        var names: [String: Failures] = [:]
        var peers: [String: Failures] = [:]
    }

    /// Failures allowed before the waits begin.
    static let freeFailures = 3
    /// The longest wait, in seconds.
    static let longestWait = 300.0
    /// Seconds without a failure after which a name's or address's failures are forgotten.
    static let forgetAfter = 3600.0
    /// Names and addresses remembered, each; past it the oldest are dropped (a flood of made-up names must not
    /// grow memory without bound).
    static let capacity = 10_000

    private let tallies = Locked(Tallies())

    /// Seconds before a try for `name` from `peer` may be made; 0: now.
    func wait(name: String, peer: String, now: Double) -> Double {
        tallies.withLock { tallies in
            max(Self.wait(tallies.names[name.lowercased()], now: now), Self.wait(tallies.peers[peer], now: now))
        }
    }

    /// Counts a failed try.
    func failed(name: String, peer: String, now: Double) {
        tallies.withLock { tallies in
            Self.count(&tallies.names, name.lowercased(), now: now)
            Self.count(&tallies.peers, peer, now: now)
        }
    }

    /// A right password: the name's failures are forgotten (the address's are not, or one account of an
    /// attacker's own would let them guess at everyone else's).
    func succeeded(name: String) {
        tallies.withLock { tallies in tallies.names[name.lowercased()] = nil }
    }

    private static func wait(_ failures: Failures?, now: Double) -> Double {
        guard let failures, failures.count >= freeFailures, now - failures.last < forgetAfter else { return 0 }
        let wait = min(longestWait, Double(1 << min(20, failures.count - freeFailures)))
        return max(0, failures.last + wait - now)
    }

    private static func count(_ table: inout [String: Failures], _ key: String, now: Double) {
        if var failures = table[key], now - failures.last < forgetAfter {
            failures.count += 1
            failures.last = now
            table[key] = failures
            return
        }
        if table.count >= capacity {
            table = table.filter { now - $0.value.last < forgetAfter }
            if table.count >= capacity, let oldest = table.min(by: { $0.value.last < $1.value.last }) {
                table[oldest.key] = nil
            }
        }
        table[key] = Failures(count: 1, last: now)
    }
}
