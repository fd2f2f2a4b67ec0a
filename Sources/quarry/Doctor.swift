// `quarry doctor`: a checklist of what `quarry serve` with the same settings needs, for a person who is not a
// developer. Each line says what was found; each problem says what to do about it. Exit status 1 when any check
// found a problem (warnings do not count), 64 for options it cannot read.
import Chat
import Curl
import LLM
import Retrieval
import Postgres
import Redis
import Server
import Store
#if canImport(Glibc)
import Glibc
#endif

/// One line of the checklist.
struct Finding: Equatable {
    enum Verdict: Equatable {
        case ok, warning, problem
    }

    var verdict: Verdict
    /// What was checked: "database", "documents", "model"…
    var subject: String
    /// What was found.
    var detail: String
    /// What to do, for a warning or a problem.
    var fix: String?

    /// The line as printed: a mark, the subject, what was found, and the fix below it.
    var text: String {
        let mark = switch verdict {
        case .ok: "ok     "
        case .warning: "warning"
        case .problem: "PROBLEM"
        }
        return "\(mark)  \(subject): \(detail)" + (fix.map { "\n         fix: \($0)" } ?? "")
    }
}

func runDoctor(_ options: ServeOptions, environment: Environment) async {
    print("quarry doctor: checking what quarry serve needs, with the same options and environment\n")
    var findings: [Finding] = []
    func report(_ finding: Finding) {
        findings.append(finding)
        print(finding.text)
    }
    // The documents folder is checked on its own below (serve's settings refuse a missing one outright).
    let documents = options.docs ?? environment["QUARRY_DOCS"]
    var others = options
    others.docs = nil
    var values = environment.values
    values["QUARRY_DOCS"] = nil
    let settings: ServeSettings
    do {
        settings = try ServeSettings(options: others, environment: Environment(values: values))
    } catch {
        report(Finding(verdict: .problem, subject: "settings", detail: error.message,
                       fix: "correct it; quarry serve would not start with it (quarry help serve lists the settings)"))
        // What can be checked without the rest (a URL that cannot be read is the settings' problem above).
        if let location = try? DatabaseLocation(databasePath(options.db, environment)) { report(Doctor.database(location)) }
        exit(1)
    }
    report(Doctor.database(settings.databaseLocation))
    if let redis = settings.redis { report(Doctor.redis(redis)) }
    report(Doctor.documents(documents, database: settings.databaseLocation))
    let multi: CurlMulti?
    do { multi = try CurlMulti() } catch {
        multi = nil
        report(Finding(verdict: .problem, subject: "HTTP client", detail: "libcurl could not start: \(error)",
                       fix: "reinstall libcurl (Debian: apt install --reinstall libcurl4)"))
    }
    if let multi {
        report(await Doctor.model(settings.answering.model, multi: multi))
        if let embeddings = settings.answering.embeddings { report(await Doctor.embeddings(embeddings, multi: multi)) }
    }
    report(Doctor.port(host: settings.server.host ?? "127.0.0.1", port: settings.server.port))
    report(Doctor.openFiles(maxConnections: settings.server.maxConnections))
    if case .file(let path) = settings.databaseLocation { report(Doctor.disk(for: path)) }
    let problems = findings.filter { $0.verdict == .problem }.count
    let warnings = findings.filter { $0.verdict == .warning }.count
    print("\n" + (problems == 0 ? "No problems found" : problems == 1 ? "1 problem found" : "\(problems) problems found")
          + (warnings == 0 ? "." : warnings == 1 ? ", 1 warning." : ", \(warnings) warnings."))
    exit(problems == 0 ? 0 : 1)
}

/// The checks, each a function of what it looks at.
enum Doctor {
    /// The database, a SQLite file or a PostgreSQL database (`database(_:)` for a path, `postgres(_:)`).
    static func database(_ location: DatabaseLocation) -> Finding {
        switch location {
        case .file(let path): database(path)
        case .postgres(let configuration): postgres(configuration)
        }
    }

    /// A PostgreSQL database: connects and sets its tables up as `serve` would, and says what it holds.
    static func postgres(_ configuration: PostgresConfiguration) -> Finding {
        let contents: Store.Contents
        do {
            contents = try PostgresStore(configuration).contents()
        } catch {
            return Finding(verdict: .problem, subject: "database", detail: "\(configuration) cannot be used: \(error)",
                           fix: "check that PostgreSQL runs at \(configuration.place), that the user and password in the URL "
                               + "may connect and create tables in the database, and that libpq5 is installed (docs/postgres.md)")
        }
        return Finding(verdict: .ok, subject: "database",
                       detail: "\(configuration) answers, its tables are up to date (\(contents.conversations) conversations, "
                           + "\(contents.documents) documents, \(contents.passages) passages)")
    }

    /// The Redis broadcasts go through: connects (AUTH, SELECT) and PINGs it, and checks pub/sub and scripts work.
    static func redis(_ configuration: RedisConfiguration) -> Finding {
        do {
            let connection = try RedisConnection(configuration)
            try connection.ping()
            // What the relay runs: a script (EVAL) and a PUBLISH.
            let reply = try connection.command("EVAL", "return redis.call('PUBLISH', KEYS[1], 'doctor')", "1",
                                               "quarry:\(configuration.database):doctor").throwingError()
            guard case .integer = reply else {
                throw RedisError(.protocolViolation, "Redis answered a script with \(reply)")
            }
        } catch {
            return Finding(verdict: .problem, subject: "redis", detail: "\(configuration) cannot be used: \(error)",
                           fix: "check that redis-server runs at \(configuration.address) (Debian: apt install redis-server), "
                               + "and the password in the URL; every host needs the same Redis (docs/many-hosts.md)")
        }
        return Finding(verdict: .ok, subject: "redis", detail: "\(configuration) answers; broadcasts go through it")
    }

    /// The database: opens (migrating it as `serve` would), passes `PRAGMA quick_check`, is private to its owner.
    static func database(_ path: String) -> Finding {
        guard access(path, F_OK) == 0 else {
            let folder = Self.folder(of: path)
            guard access(folder, W_OK) == 0 else {
                return Finding(verdict: .problem, subject: "database", detail: "\(path) does not exist, and \(folder) cannot be written",
                               fix: "create \(folder) and let the user Quarry runs as write to it, or choose --db elsewhere")
            }
            return Finding(verdict: .ok, subject: "database", detail: "\(path) does not exist yet; quarry serve creates it")
        }
        let contents: Store.Contents
        do {
            contents = try Store(path: path).contents()
        } catch {
            return Finding(verdict: .problem, subject: "database", detail: "\(path) cannot be used: \(error)",
                           fix: "check the path and that the user Quarry runs as owns the file; restore a backup if it is damaged (docs/deploy.md)")
        }
        guard contents.check == "ok" else {
            return Finding(verdict: .problem, subject: "database", detail: "\(path) is damaged: \(contents.check)",
                           fix: "stop Quarry and restore the last backup (docs/deploy.md), or move the file away to start afresh")
        }
        var info = stat()
        let mode = stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
        let size = Self.megabytes(Int64(info.st_size))
        let detail = "\(path) opens and passes its check (\(size), \(contents.conversations) conversations, "
            + "\(contents.documents) documents, mode \(String(mode, radix: 8)))"
        guard mode & 0o077 == 0 else {
            return Finding(verdict: .problem, subject: "database", detail: detail + "; others may read it and its signing key",
                           fix: "chmod 600 \(path)")
        }
        return Finding(verdict: .ok, subject: "database", detail: detail)
    }

    /// The documents folder: readable, what it holds, and the files Quarry could not read (as recorded by the last
    /// ingestion into the database), with why.
    static func documents(_ folder: String?, database: DatabaseLocation) -> Finding {
        guard let folder else {
            return Finding(verdict: .warning, subject: "documents", detail: "no documents folder (--docs, QUARRY_DOCS)",
                           fix: "give quarry serve --docs FOLDER, or read documents in with quarry ingest FOLDER")
        }
        guard let survey = Ingester.survey(folder) else {
            return Finding(verdict: .problem, subject: "documents", detail: "\(folder) does not exist",
                           fix: "create it and put the documents in it, or correct --docs")
        }
        var detail = "\(folder): \(survey.supported) files Quarry reads (\(Self.megabytes(survey.bytes)))"
        let others = survey.skipped.filter { $0.reason.contains("folder cannot be read") }
        if !others.isEmpty {
            return Finding(verdict: .problem, subject: "documents",
                           detail: detail + "; cannot read " + others.prefix(3).map(\.path).joined(separator: ", "),
                           fix: "let the user Quarry runs as read the folder (chmod a+rx, or chown)")
        }
        if !survey.skipped.isEmpty { detail += ", \(survey.skipped.count) passed over (formats it does not read)" }
        // What the last ingestion could not read, from the database (never created here).
        var exists = true
        if case .file(let path) = database { exists = access(path, F_OK) == 0 }
        let failed = !exists ? []
            : (try? database.open().documents().values.filter { $0.failure != nil && $0.path.hasPrefix(folder) }) ?? []
        guard failed.isEmpty else {
            let named = failed.sorted { $0.path < $1.path }.prefix(3).map { "\($0.path): \($0.failure ?? "")" }
            return Finding(verdict: .warning, subject: "documents",
                           detail: detail + "; \(failed.count) could not be read: " + named.joined(separator: "; "),
                           fix: "each reason says what the file needs (a scan needs OCR, an encrypted PDF its password removed); Quarry tries again when the file changes")
        }
        guard survey.supported > 0 else {
            return Finding(verdict: .warning, subject: "documents", detail: detail,
                           fix: "put PDF, Word, OpenDocument, EPUB, HTML, Markdown or text files in it")
        }
        return Finding(verdict: .ok, subject: "documents", detail: detail)
    }

    /// The model: a one-word answer asked for, and how long its first word took.
    static func model(_ configuration: LLMConfiguration?, multi: CurlMulti) async -> Finding {
        guard var configuration else {
            return Finding(verdict: .ok, subject: "model",
                           detail: "none configured: answers quote the documents' passages (set QUARRY_LLM_BASE_URL and QUARRY_LLM_MODEL for a model)")
        }
        configuration.maxAttempts = 1
        configuration.connectTimeout = .seconds(5)
        configuration.firstTokenTimeout = .seconds(60)
        let client = LLMClient(configuration: configuration, multi: multi)
        let place = "\(configuration.model) at \(configuration.loggableBaseURL)"
        let started = ContinuousClock.now
        do {
            for try await delta in client.streamChat([ChatMessage(role: "user", content: "Reply with the single word OK.")]) {
                if case .text = delta { break }
            }
        } catch let error as LLMError {
            return Finding(verdict: .problem, subject: "model", detail: "\(place): \(Self.describe(error))",
                           fix: Self.fix(error, configuration: configuration, variable: "QUARRY_LLM_MODEL"))
        } catch {
            return Finding(verdict: .problem, subject: "model", detail: "\(place): \(error)", fix: nil)
        }
        return Finding(verdict: .ok, subject: "model",
                       detail: "\(place) answers; its first word came after \(Self.seconds(ContinuousClock.now - started))")
    }

    /// The embeddings endpoint: one text embedded.
    static func embeddings(_ configuration: LLMConfiguration, multi: CurlMulti) async -> Finding {
        var configuration = configuration
        configuration.maxAttempts = 1
        configuration.connectTimeout = .seconds(5)
        let client = LLMClient(configuration: configuration, multi: multi)
        let place = "\(configuration.embeddingsModel) at \(configuration.loggableBaseURL)"
        do {
            let vectors = try await client.embeddings(["Quarry doctor"])
            return Finding(verdict: .ok, subject: "embeddings", detail: "\(place) gives vectors of \(vectors.first?.count ?? 0) numbers")
        } catch let error as LLMError {
            return Finding(verdict: .problem, subject: "embeddings", detail: "\(place): \(Self.describe(error))",
                           fix: Self.fix(error, configuration: configuration, variable: "QUARRY_EMBEDDINGS_MODEL"))
        } catch {
            return Finding(verdict: .problem, subject: "embeddings", detail: "\(place): \(error)", fix: nil)
        }
    }

    /// What a failure of the model service was, in a few words (the service's own text, for the person who runs
    /// Quarry: the doctor's reader is the administrator, not a visitor).
    static func describe(_ error: LLMError) -> String {
        switch error {
        case .keyRejected(let status, _): "the key was not accepted (HTTP \(status))"
        case .modelNotFound(let model, _): "the service has no model “\(model)”"
        case .unreachable(let message): "cannot be reached (\(message))"
        case .timedOut(let kind): "no answer in time (\(kind.rawValue))"
        default: error.logMessage
        }
    }

    /// What to do about a failure of the model service.
    static func fix(_ error: LLMError, configuration: LLMConfiguration, variable: String) -> String? {
        switch error {
        case .keyRejected:
            "set QUARRY_LLM_API_KEY (or OPENAI_API_KEY) to a key this service accepts"
        case .modelNotFound(let model, _):
            "set \(variable) to a model the service has (for Ollama: ollama pull \(model))"
        case .unreachable, .timedOut(.connect):
            "start the model server, or correct QUARRY_LLM_BASE_URL (now \(configuration.loggableBaseURL))"
        case .timedOut:
            "the service is up but slow: try a smaller model, or raise QUARRY_LLM_FIRST_TOKEN_TIMEOUT"
        case .rateLimited:
            "the service is limiting requests: wait, or raise the limit with its provider"
        default:
            "look at the model server's own log"
        }
    }

    /// The port: free to listen on, or already taken (by a running Quarry, perhaps).
    static func port(host: String, port: Int) -> Finding {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            return Finding(verdict: .problem, subject: "port", detail: "the address \(host) is not known here",
                           fix: "give --host an address of this machine (127.0.0.1, or 0.0.0.0 for every interface)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard fd >= 0 else { return Finding(verdict: .problem, subject: "port", detail: "no socket: \(String(cString: strerror(errno)))", fix: nil) }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            let cause = errno
            if cause == EADDRINUSE {
                return Finding(verdict: .warning, subject: "port", detail: "\(host):\(port) is in use",
                               fix: "if Quarry is already running there, that is expected; otherwise stop what uses it or choose another --port")
            }
            return Finding(verdict: .problem, subject: "port",
                           detail: "\(host):\(port) cannot be listened on: \(String(cString: strerror(cause)))",
                           fix: port < 1024 ? "ports below 1024 need privileges: use 8080, or a reverse proxy" : "choose another --port or --host")
        }
        return Finding(verdict: .ok, subject: "port", detail: "\(host):\(port) is free")
    }

    /// The open-file limit quarry serve raises itself to, against what its connection cap needs.
    static func openFiles(maxConnections: Int) -> Finding {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return Finding(verdict: .warning, subject: "open files", detail: "the limit cannot be read", fix: nil)
        }
        // Each socket is a file; the database, its log, the documents being read and libraries take some more.
        let needed = UInt64(maxConnections) + 64
        let hard = UInt64(limit.rlim_max)
        guard hard >= needed else {
            return Finding(verdict: .problem, subject: "open files",
                           detail: "the limit is \(hard), and --max-connections \(maxConnections) needs about \(needed)",
                           fix: "raise it (LimitNOFILE=\(needed) in the service unit, or ulimit -Hn \(needed)), or lower --max-connections")
        }
        return Finding(verdict: .ok, subject: "open files", detail: "limit \(hard), enough for --max-connections \(maxConnections)")
    }

    /// Free space where the database lives.
    static func disk(for database: String) -> Finding {
        let folder = Self.folder(of: database)
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else {
            return Finding(verdict: .warning, subject: "disk", detail: "free space in \(folder) cannot be read", fix: nil)
        }
        let free = Int64(info.f_bavail) * Int64(info.f_frsize)
        let detail = "\(Self.megabytes(free)) free in \(folder)"
        if free < 100 << 20 {
            return Finding(verdict: .problem, subject: "disk", detail: detail,
                           fix: "free some space: below 100 MB, answers and documents may fail to be saved")
        }
        if free < 1 << 30 {
            return Finding(verdict: .warning, subject: "disk", detail: detail, fix: "keep an eye on it: less than 1 GB is left")
        }
        return Finding(verdict: .ok, subject: "disk", detail: detail)
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func megabytes(_ bytes: Int64) -> String {
        bytes < 1 << 20 ? "\((bytes + 1023) / 1024) KB" : bytes >= 1 << 30 ? "\(bytes / (1 << 30)).\(bytes % (1 << 30) * 10 / (1 << 30)) GB"
            : "\(bytes / (1 << 20)).\(bytes % (1 << 20) * 10 / (1 << 20)) MB"
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration / .milliseconds(1)
        return milliseconds < 1000 ? "\(Int(milliseconds)) ms" : "\(Int(milliseconds) / 1000).\(Int(milliseconds) % 1000 / 100) s"
    }
}
