// Retention for `quarry serve`: conversations idle for QUARRY_RETENTION_DAYS days are removed, at start and every
// hour, so a box anyone can walk up to neither keeps people's questions forever nor fills its disk.
//
// | variable               | default | meaning |
// | ---------------------- | ------- | ------- |
// | QUARRY_RETENTION_DAYS  | 30      | days a conversation may sit untouched before it is removed; 0 keeps them forever |
import Locking
import Logging
import Store

/// How long idle conversations are kept.
struct RetentionSettings: Equatable {
    /// Seconds a thread may go untouched; nil keeps conversations forever.
    var idle: Int64?

    init(environment: Environment) throws(UsageError) {
        let text = environment["QUARRY_RETENTION_DAYS"] ?? "30"
        guard let days = Int64(text), (0...36_500).contains(days) else {
            throw UsageError(message: "QUARRY_RETENTION_DAYS must be a whole number of days from 0 (keep forever) to 36500, not “\(text)”.")
        }
        idle = days == 0 ? nil : days * 86_400
    }
}

/// Removes idle conversations now and then until stopped.
func conversationRetention(store: any ConversationStorage, idle: Int64, interval: Duration = .seconds(3_600),
                           logger: Logger) -> Periodic {
    Periodic(every: interval) {
        do throws(StoreError) {
            let sweep = try await onOwnThread { () throws(StoreError) in try store.removeIdleConversations(idle: idle) }
            if sweep.threads > 0 || sweep.sessions > 0 {
                logger.info("idle conversations removed", metadata: [
                    "threads": "\(sweep.threads)", "sessions": "\(sweep.sessions)", "idle_days": "\(idle / 86_400)",
                ])
            }
        } catch {
            logger.warning("idle conversations could not be removed; trying again later",
                           metadata: ["cause": "\(error.logDescription)"])
        }
    }
}
