// Leases for `quarry serve`: every host renews its claim on the answers it runs, and takes over (as interrupted,
// with Retry) the answers of a host that stopped renewing, so with several hosts on one database a host that dies
// mid-answer leaves nothing streaming for ever (docs/many-hosts.md).
//
// | variable          | default | meaning |
// | ----------------- | ------- | ------- |
// | QUARRY_HOST_NAME  | local with a SQLite file; this machine's name and the port with PostgreSQL | the name this host's answers are recorded under: unique among the hosts sharing a database, the same across restarts |
// | QUARRY_LEASE      | 30      | seconds a host's claim on an answer lasts unless renewed (every third of it) |
import Chat
import LLM
import Locking
import Logging
import Store
#if canImport(Glibc)
import Glibc
#endif

extension JobHost {
    /// QUARRY_HOST_NAME and QUARRY_LEASE, with `defaultName` when the name is not set.
    init(environment: Environment, defaultName: @autoclosure () -> String) throws(UsageError) {
        let name = environment["QUARRY_HOST_NAME"] ?? defaultName()
        guard (1...200).contains(name.utf8.count), name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw UsageError(message: "QUARRY_HOST_NAME must be 1 to 200 printable ASCII characters without spaces, not “\(name)”.")
        }
        let text = environment["QUARRY_LEASE"] ?? "30"
        guard let lease = Int64(text), (3...3_600).contains(lease) else {
            throw UsageError(message: "QUARRY_LEASE must be a whole number of seconds from 3 to 3600, not “\(text)”.")
        }
        self.init(name: name, lease: lease)
    }

    /// This machine's name and `port`, as `name:port`.
    static func machineName(port: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let machine = gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "quarry"
        return "\(machine.isEmpty ? "quarry" : machine):\(port)"
    }
}

/// Renews this host's leases and takes over lost hosts' answers, every third of the lease, until stopped.
func answerLeases(chat: ChatService, lease: Int64, logger: Logger) -> Periodic {
    Periodic(every: .milliseconds(lease * 1000 / 3)) {
        do throws(StoreError) {
            try await onOwnThread { () throws(StoreError) in _ = try chat.keepLeases() }
        } catch {
            logger.warning("answer leases could not be renewed; trying again shortly",
                           metadata: ["cause": "\(error.logDescription)"])
        }
    }
}

/// With several hosts on one database: tells the others, every second, how many requests this host sent the model
/// in its last minute, and hears theirs, so the ceiling on model requests a minute (QUARRY_LLM_REQUESTS_PER_MINUTE)
/// is the whole site's rather than each host's. A failure keeps the last figure heard, logged once per outage.
func sharedCeiling(_ ceiling: RequestCeiling, store: any QuarryStorage, logger: Logger,
                   interval: Duration = .seconds(1)) -> Periodic {
    let failing = Locked(false)
    return Periodic(every: interval) {
        do throws(StoreError) {
            ceiling.othersSent = try await onOwnThread { () throws(StoreError) in
                try store.shareModelRequests(mine: ceiling.recent(), now: nil)
            }
            failing.withLock { $0 = false }
        } catch {
            let first = failing.withLock { failed in
                defer { failed = true }
                return !failed
            }
            if first {
                logger.warning("the model requests of the other hosts could not be read; keeping the last figure",
                               metadata: ["cause": "\(error.logDescription)"])
            }
        }
    }
}
