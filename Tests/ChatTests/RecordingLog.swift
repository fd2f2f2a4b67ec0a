// A logger whose lines the test can read: what the chat told the log, apart from what it told the page.
import Locking
import Logging

/// Keeps every line logged through it, with its metadata flattened into the text.
final class RecordingLog: Sendable {
    private let lines = Locked<[String]>([])

    /// A logger writing here, at every level.
    var logger: Logger {
        var logger = Logger(label: "test.chat") { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: [String] { lines.current }

    /// Lines whose message starts with `prefix`.
    func lines(startingWith prefix: String) -> [String] { all.filter { $0.hasPrefix(prefix) } }

    fileprivate func record(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: RecordingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            log.record(([event.message.description] + fields).joined(separator: " "))
        }
    }
}
