// `quarry serve`: open the database, start the server, run until SIGINT or SIGTERM.
import ArgumentParser
import Logging
import Server
import Store

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the chat page and its socket.",
        discussion: "Every option can also be set in the environment; see the README's configuration table."
    )

    @Option(help: "Address to listen on; 0.0.0.0 for every interface. [QUARRY_HOST, default 127.0.0.1]")
    var host: String?

    @Option(help: "Port to listen on. [QUARRY_PORT, default 8080]")
    var port: Int?

    @Option(help: "The SQLite database file; created if missing. [QUARRY_DB, default ./quarry.db]")
    var db: String?

    @Option(help: "Folder of documents to answer from. [QUARRY_DOCS, default none]")
    var docs: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [QUARRY_LOG_LEVEL, default info]")
    var logLevel: String?

    @Option(help: "Another origin allowed to open the socket, e.g. https://kiosk.example.org (repeatable). [QUARRY_ALLOWED_ORIGINS, comma-separated]")
    var allowedOrigin: [String] = []

    @Option(help: "Most browser connections held at once. [QUARRY_MAX_CONNECTIONS, default 10000]")
    var maxConnections: Int?

    func run() throws {
        let settings = try ServeSettings(options: self, environment: .current)
        bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "quarry")
        ProcessLimits.ignoreBrokenPipes()
        ProcessLimits.raiseOpenFileLimit(logger: logger)
        let signals = ShutdownSignals()

        let secret: [UInt8]
        do {
            let store = try Store(path: settings.database)
            secret = try store.serverSecret(environment: settings.secret)
        } catch {
            throw StartupError(reason: "\(error)")
        }
        if let docs = settings.documents {
            logger.info("documents", metadata: ["folder": "\(docs.path)", "files": "\(docs.fileCount)"])
        }

        let server = Server(configuration: settings.server, secret: secret, logger: Logger(label: "quarry.server"))
        do {
            try server.start()
        } catch {
            throw StartupError(reason: "\(error)")
        }
        logger.notice("Quarry is ready", metadata: ["url": "http://\(settings.displayHost):\(server.port)/"])
        signals.onFirst { server.stop() }
        server.waitUntilStopped()
    }
}

/// A failure to start, said for the person running the command (ArgumentParser prints it and exits with 1).
struct StartupError: Error, CustomStringConvertible {
    let reason: String
    var description: String { "Quarry could not start. \(reason)" }
}
