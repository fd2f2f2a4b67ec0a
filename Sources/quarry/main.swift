// The `quarry` command.
import Admin
import Chat
import Contracts
import Curl
import LDAP
import LLM
import Locking
import Logging
import Relay
import Retrieval
import Server
import Store
import Telemetry
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

/// The environment with the settings file `--config` names beneath it; exits 64 when the file cannot be read.
func environment(config: String?) -> Environment {
    do { return try Environment.current.over(configFile: config) } catch { fail(error.message, code: 64) }
}

switch invocation {
case .version:
    print("quarry \(Help.version)")
case .help(let topic):
    print(Help.text(topic), terminator: "")
case .ingest(let options):
    await runIngest(options, environment: environment(config: options.config))
case .search(let options):
    await runSearch(options, environment: environment(config: options.config))
case .doctor(let options):
    await runDoctor(options, environment: environment(config: options.config))
case .backup(let options):
    runBackup(options, environment: environment(config: options.config))
case .migrate(let options):
    runMigrate(options, environment: environment(config: options.config))
case .user(let options):
    runUser(options, environment: environment(config: options.config))
case .ask(let options):
    // Ctrl-C stops the answer (what arrived is kept).
    let signals = ShutdownSignals()
    await runAsk(options, environment: environment(config: options.config), signals: signals)
case .serve(let options):
    let settings: ServeSettings
    let retention: RetentionSettings
    let environment = environment(config: options.config)
    do {
        settings = try ServeSettings(options: options, environment: environment)
        retention = try RetentionSettings(environment: environment)
    } catch {
        fail(error.message, code: 64)
    }
    serve(settings, retention: retention)
}

/// Opens the database, starts the server and runs until SIGINT or SIGTERM. It blocks the thread it runs on (the
/// top-level code's) until the server stops.
func serve(_ settings: ServeSettings, retention: RetentionSettings) {
    bootstrapLogging(level: settings.logLevel)
    let logger = Logger(label: "quarry")
    let signals = ShutdownSignals()
    ProcessLimits.ignoreBrokenPipes()
    ProcessLimits.raiseOpenFileLimit(logger: logger)

    let secret: [UInt8]
    let store: any QuarryStorage
    do {
        store = try settings.databaseLocation.open(host: settings.jobHost)
        secret = try store.serverSecret(environment: settings.secret)
    } catch {
        logger.debug("store failed", metadata: ["cause": "\(error.logDescription)"])
        fail("Quarry could not start. \(error)", code: 1)
    }
    claimHostName(store, name: settings.jobHost.name, logger: logger)
    let answering = Answering(settings.answering, store: store, logger: logger)
    // Made whether or not /metrics is served: counting costs little, and one registry keeps the code one path.
    let metrics = MetricsRegistry()
    ProcessMetrics.register(in: metrics, store: store)
    let hub = Hub(configuration: settings.hub)
    // With several hosts, every publish goes through Redis and comes back to each host's Hub (docs/many-hosts.md).
    let relay = settings.redis.map {
        RedisBroadcaster(configuration: $0, local: hub, metrics: metrics, logger: Logger(label: "quarry.relay"))
    }
    do { try relay?.start() } catch {
        fail("Quarry could not start: the Redis it was given (--redis, QUARRY_REDIS) cannot be used. \(error)", code: 1)
    }
    let broadcaster: any Broadcaster = relay ?? hub
    let admin = adminRoom(settings, store: store)
    let documentsFeed = DocumentsFeed(room: admin, broadcaster: broadcaster)
    // The documents folder is kept in step in the background: the page is served at once, and answers draw on
    // what has been read so far.
    let sync = settings.documents.map { docs in
        FolderSync(ingester: Ingester(store: store), folder: docs.path, interval: settings.rescanInterval,
                   embedder: answering.embedder,
                   reports: IngestMetrics(metrics).counting(documentReports(folder: docs.path, logger: logger,
                                                                            feed: documentsFeed)))
    }
    let chat = ChatService(store: store, retriever: answering.retriever, answerer: answering.answerer,
                           model: settings.answering.modelName, broadcaster: broadcaster, streamNames: StreamNames(secret: secret),
                           configuration: settings.answering.chat, metrics: metrics,
                           sharedAnswers: relay.map(RedisAnswers.init(beside:)), sharedRates: relay.map(RedisRates.init(beside:)),
                           sharedHolds: relay.map(RedisHolds.init(beside:)), logger: Logger(label: "quarry.chat"))
    do { try chat.recoverAfterRestart() } catch { fail("Quarry could not start. \(error)", code: 1) }
    // Redis back after a loss (perhaps restarted empty): the answers running here are written there again, then every
    // host's pages following them get a fresh snapshot.
    relay?.onResubscribed { chat.recordAnswersInProgressAgain() }
    hub.setSnapshots(ServedSnapshots(chat: chat, documents: documentsFeed))
    let signIns: AccountSignIns?
    do {
        let accessLogger = Logger(label: "quarry.access")
        switch (settings.server.access.mode, settings.directory) {
        case (.password, _), (.none, _):
            // Password mode signs everyone in; without sign-in for the page, admins sign in for the admin pages.
            signIns = try AccountSignIns(store: store, verify: AccountSignIns.verifier(store: store), logger: accessLogger)
        case (.ldap, let directory?):
            if directory.sendsPasswordsInClear {
                accessLogger.warning("passwords go to the directory unencrypted: use ldaps:// or QUARRY_LDAP_STARTTLS=yes",
                                     metadata: ["url": "\(directory.url)"])
            }
            let verify = AccountSignIns.verifier(store: store, thenDirectory: Directory(configuration: directory),
                                                 logger: accessLogger)
            signIns = try AccountSignIns(store: store, verify: verify, logger: accessLogger)
        default:
            signIns = nil
        }
    } catch {
        fail("Quarry could not start. \(error)", code: 1)
    }
    signIns?.start()
    let server = Server(configuration: settings.server, secret: secret, hub: hub, operations: chat,
                        documents: ReadingRoom(store: store, folder: settings.documents?.path),
                        endSession: { session in waitFor { await chat.endSession(session.rawValue) } },
                        metrics: metrics, signIns: signIns, adminPages: admin,
                        logger: Logger(label: "quarry.server"))
    do {
        try server.start()
    } catch {
        fail("Quarry could not start. \(error)", code: 1)
    }
    let sweeper = retention.idle.map { conversationRetention(store: store, idle: $0, logger: logger) }
    let leases = answerLeases(chat: chat, lease: settings.jobHost.lease, logger: logger)
    let ceiling = settings.databaseLocation.isShared
        ? answering.ceiling.map { sharedCeiling($0, store: store, logger: logger) } : nil
    logger.notice("Quarry is ready", metadata: ["url": "http://\(settings.displayHost):\(server.port)/",
                                                "auth": "\(settings.server.access.mode.rawValue)",
                                                "database": "\(settings.databaseLocation)",
                                                "host_name": "\(settings.jobHost.name)",
                                                "redis": "\(settings.redis.map { "\($0)" } ?? "none")"])
    signals.onFirst { server.stop() }
    server.waitUntilStopped()
    // Answers in progress are saved as interrupted (with Retry); the folder sync finishes its look.
    waitFor {
        await chat.shutdown()
        await sync?.stop()
        await sweeper?.stop()
        await leases.stop()
        await ceiling?.stop()
        await signIns?.stop()
    }
    relay?.stop()
    if let failure = server.failure { fail("Quarry stopped: \(failure)", code: 1) }
}

/// Makes sure no other live Quarry serves the same database under this host's name (they would take each other's
/// answers at a restart): waits up to 30 s for one that just died to let the name go, then exits with what to do.
func claimHostName(_ store: any QuarryStorage, name: String, logger: Logger) {
    for attempt in 0...30 {
        do {
            if try store.claimHostName() { return }
        } catch {
            fail("Quarry could not start. \(error)", code: 1)
        }
        if attempt == 0 {
            logger.warning("another Quarry serves this database as this host; waiting up to 30 s for it to stop",
                           metadata: ["host_name": "\(name)"])
        }
        if attempt < 30 { sleep(1) }
    }
    fail("Another Quarry is serving this database as host “\(name)”. Give each host its own name: QUARRY_HOST_NAME "
         + "(by default this machine's name and the port), or stop the other one.", code: 1)
}

/// Runs `body` on Swift's concurrency threads and blocks this (non-concurrency) thread until it is done.
func waitFor(_ body: @escaping @Sendable () async -> Void) {
    let done = Completion()
    Task.detached {
        await body()
        done.signal()
    }
    done.wait()
}

/// What the documents folder's sync logs: a line per document that changed (unchanged ones are not worth one),
/// a summary per look that changed something, embeddings made, and failures.
func documentReports(folder: String, logger: Logger, feed: DocumentsFeed? = nil) -> FolderSync.Reports {
    var reports = FolderSync.Reports()
    // A file that cannot be read is reported on every look at the folder; it is logged once (again if its reason
    // changes), not every few seconds.
    let logged = Locked<[String: String]>([:])
    reports.event = { event in
        switch event {
        case .skipped(let path, let reason), .failed(let path, let reason):
            guard logged.withLock({ $0.updateValue(reason, forKey: path) != reason }) else { return }
            // A new failure changes the list; the look's end sends it only when documents were stored.
            if case .failed = event { feed?.changed(final: true) }
        case .ingested(let path, _, _, _), .removed(let path):
            logged.withLock { _ = $0.removeValue(forKey: path) }
            feed?.changed()
        case .scanned, .unchanged:
            break
        }
        logDocumentEvent(event, logger: logger)
    }
    reports.passed = { summary, first, seconds in
        guard first || summary.changedStore else { return }
        feed?.changed(final: true)
        logger.info("documents", metadata: [
            "folder": "\(folder)", "added": "\(summary.added)", "changed": "\(summary.changed)",
            "unchanged": "\(summary.unchanged)", "removed": "\(summary.removed)",
            "skipped": "\(summary.skipped + summary.failed)", "chunks": "\(summary.chunks)",
            "seconds": "\(rounded(seconds, 2))",
        ])
    }
    reports.failed = { logger.error("documents could not be read into the database: \($0)") }
    reports.embedded = { logger.info("chunks embedded", metadata: ["count": "\($0)"]) }
    reports.embeddingFailed = { error, retryIn in
        let reason = (error as? LLMError)?.logMessage ?? "\(error)"
        logger.warning("embeddings failed; search uses words alone meanwhile",
                       metadata: ["reason": "\(reason)", "retry_in_seconds": "\(retryIn.components.seconds)"])
    }
    return reports
}

/// One log line per document that changed; unchanged ones are not worth a line.
func logDocumentEvent(_ event: IngestEvent, logger: Logger) {
    switch event {
    case .ingested(let path, let chunks, let replaced, _):
        logger.info(replaced ? "document updated" : "document added", metadata: ["path": "\(path)", "chunks": "\(chunks)"])
    case .removed(let path):
        logger.info("document removed", metadata: ["path": "\(path)"])
    case .skipped(let path, let reason), .failed(let path, let reason):
        logger.notice("document skipped", metadata: ["path": "\(path)", "reason": "\(reason)"])
    case .scanned, .unchanged:
        break
    }
}
