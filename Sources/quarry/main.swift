// The `quarry` command.
import Logging
import Server
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Prints `message` on standard error and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    var line = "quarry: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(code)
}

let invocation: Invocation
do {
    invocation = try Invocation.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail(error.message, code: 64)
}

switch invocation {
case .version:
    print("quarry \(Help.version)")
case .help(let topic):
    print(topic == "serve" ? Help.serve : Help.overview, terminator: "")
case .serve(let options):
    let settings: ServeSettings
    do {
        settings = try ServeSettings(options: options, environment: .current)
    } catch {
        fail(error.message, code: 64)
    }
    serve(settings)
}

/// Opens the database, starts the server and runs until SIGINT or SIGTERM.
func serve(_ settings: ServeSettings) {
    bootstrapLogging(level: settings.logLevel)
    let logger = Logger(label: "quarry")
    let signals = ShutdownSignals()
    ProcessLimits.ignoreBrokenPipes()
    ProcessLimits.raiseOpenFileLimit(logger: logger)

    let secret: [UInt8]
    do {
        let store = try Store(path: settings.database)
        secret = try store.serverSecret(environment: settings.secret)
    } catch {
        logger.debug("store failed", metadata: ["cause": "\(error.logDescription)"])
        fail("Quarry could not start. \(error)", code: 1)
    }
    if let docs = settings.documents {
        logger.info("documents", metadata: ["folder": "\(docs.path)", "files": "\(docs.fileCount)"])
    }
    let server = Server(configuration: settings.server, secret: secret, logger: Logger(label: "quarry.server"))
    do {
        try server.start()
    } catch {
        fail("Quarry could not start. \(error)", code: 1)
    }
    logger.notice("Quarry is ready", metadata: ["url": "http://\(settings.displayHost):\(server.port)/"])
    signals.onFirst { server.stop() }
    server.waitUntilStopped()
    if let failure = server.failure { fail("Quarry stopped: \(failure)", code: 1) }
}
