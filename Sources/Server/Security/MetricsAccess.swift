// Who may read `/metrics`: the addresses and networks of a setting (`QUARRY_METRICS_ALLOW`), loopback unless told.
// The counters say how busy the server is and how its model fails; nothing private, but nothing a visitor needs.
//
// The address checked is the client's as the per-address limits see it (`ServiceLoop.clientAddress`): the TCP
// peer's, or, from a proxy listed in `trustedProxies`, the last address its X-Forwarded-For names. Behind a proxy
// that is not listed, every request has the proxy's address, so a proxy on this machine makes `/metrics` as
// reachable as the proxy makes it (docs/metrics.md).
internal import TextLines
#if canImport(Glibc)
internal import Glibc
#endif

/// The networks allowed to read `/metrics`; none: the endpoint is off (404).
public struct MetricsAccess: Sendable, Equatable {
    /// An address and how many of its leading bits must match (`10.0.0.0/8`, `::1/128`).
    public struct Network: Sendable, Equatable, CustomStringConvertible {
        /// 4 bytes (IPv4) or 16 (IPv6).
        let address: [UInt8]
        let prefix: Int

        /// `address/prefix` as written in the setting.
        public var description: String { "\(MetricsAccess.text(of: address))/\(prefix)" }

        func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var bits = prefix
            for (mine, theirs) in zip(address, other) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
                if mine & mask != theirs & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    /// The allowed networks, in the setting's order.
    public let networks: [Network]

    /// Whether `/metrics` is served at all.
    public var isOn: Bool { !networks.isEmpty }

    /// The default: this machine only (`127.0.0.0/8` and `::1`).
    public static let loopback = try! MetricsAccess(parsing: "127.0.0.0/8, ::1")

    /// Off: `/metrics` is not found.
    public static let off = MetricsAccess(networks: [])

    init(networks: [Network]) { self.networks = networks }

    /// Whether a client at `peer` (an address as libwebsockets writes it) may read `/metrics`. An IPv4 address
    /// written as IPv6 (`::ffff:127.0.0.1`) counts as the IPv4 one.
    public func allows(_ peer: String) -> Bool {
        guard let bytes = Self.bytes(of: peer) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// An IP address as bytes (4 or 16), a v4-mapped IPv6 address as its IPv4 bytes; nil for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        var four = in_addr()
        if inet_pton(AF_INET, text, &four) == 1 {
            return withUnsafeBytes(of: &four) { Array($0) }
        }
        var six = in6_addr()
        guard inet_pton(AF_INET6, text, &six) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &six) { Array($0) }
        if bytes[..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return Array(bytes[12...]) }
        return bytes
    }

    /// An address's usual text.
    static func text(of address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(address[index]) << 8 | UInt16(address[index + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }
}

extension MetricsAccess {
    /// Why a setting could not be read.
    public struct ParseError: Error, CustomStringConvertible {
        /// The setting's name and what is wrong with it, for the person who wrote it.
        public let description: String
    }

    /// Reads a setting: `off` (or `none`), or addresses and networks separated by commas (`127.0.0.1`,
    /// `10.0.0.0/8`, `::1`, `fd00::/8`). A network's address must have no bits set past its prefix.
    public init(parsing text: String, name: String = "QUARRY_METRICS_ALLOW") throws(ParseError) {
        let items = text.split(separator: ",").map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        if items.count == 1, ["off", "none", "no"].contains(items[0].lowercased()) {
            self.init(networks: [])
            return
        }
        guard !items.isEmpty else {
            throw ParseError(description: "\(name) takes addresses or networks such as 127.0.0.1, 10.0.0.0/8 or ::1, or off.")
        }
        var networks: [Network] = []
        for item in items {
            let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let address = Self.bytes(of: parts[0]) else {
                throw ParseError(description: "\(name): “\(item)” is not an address such as 127.0.0.1 or ::1, or a network such as 10.0.0.0/8.")
            }
            let bits = address.count * 8
            var prefix = bits
            if parts.count == 2 {
                guard let number = Int(parts[1]), (0...bits).contains(number) else {
                    throw ParseError(description: "\(name): the prefix of “\(item)” must be a number from 0 to \(bits).")
                }
                prefix = number
            }
            let network = Self.masked(address, prefix: prefix)
            guard network.address == address else {
                throw ParseError(description: "\(name): “\(item)” has bits set past its prefix; did you mean \(network)?")
            }
            networks.append(network)
        }
        self.init(networks: networks)
    }

    /// `address` with every bit past `prefix` cleared.
    private static func masked(_ address: [UInt8], prefix: Int) -> Network {
        var bits = prefix
        let bytes = address.map { byte -> UInt8 in
            defer { bits -= 8 }
            return bits >= 8 ? byte : bits <= 0 ? 0 : byte & ~(0xff >> UInt8(bits))
        }
        return Network(address: bytes, prefix: prefix)
    }
}
