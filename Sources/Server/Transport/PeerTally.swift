// Counts per client address, for the per-address limits: connections still sending request headers, open
// sockets, bytes of half-received messages.
//
// A client's address is the TCP peer's. Behind a reverse proxy every client has the proxy's address, so the
// limits apply to all of them together, unless the proxy is listed in `ServerConfiguration.trustedProxies`: then
// a socket's address is the last one its `X-Forwarded-For` names. Connections still sending headers are always
// counted by the TCP peer (no header has arrived to say otherwise).

/// An amount per client address; an address whose amount falls to zero is forgotten. Service thread only.
struct PeerTally {
    private var amounts: [String: Int] = [:]

    /// The amount held for `peer`.
    subscript(peer: String) -> Int { amounts[peer] ?? 0 }

    /// Addresses with anything held.
    var count: Int { amounts.count }

    mutating func add(_ amount: Int = 1, for peer: String) {
        guard amount != 0 else { return }
        amounts[peer, default: 0] += amount
    }

    mutating func remove(_ amount: Int = 1, for peer: String) {
        guard amount != 0, let held = amounts[peer] else { return }
        amounts[peer] = held > amount ? held - amount : nil
    }
}

/// Connections that are sending a request's headers or waiting, idle, for the next request, by handle, with a
/// count per address. Service thread only.
struct HeaderWatch {
    private var peers: [Int: String] = [:]
    private(set) var tally = PeerTally()

    /// Connection `key` from `peer` now waits for headers.
    mutating func waiting(_ key: Int, peer: String) {
        guard peers[key] == nil else { return }
        peers[key] = peer
        tally.add(for: peer)
    }

    /// Connection `key`'s headers are in, or it is gone.
    mutating func done(_ key: Int) {
        guard let peer = peers.removeValue(forKey: key) else { return }
        tally.remove(for: peer)
    }

    /// The address connection `key` was counted under, while it is counted.
    func peer(of key: Int) -> String? { peers[key] }
}
