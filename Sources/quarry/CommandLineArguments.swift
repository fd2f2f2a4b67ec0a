// Parsing `quarry`'s command line: a subcommand and `--name value` / `--name=value` options.
//
// Why not swift-argument-parser: it links FoundationEssentials into the binary, which costs a small box about
// 2 MB of resident memory and 6 MB of disk for a handful of options (measured; docs/architecture.md).

/// What the command line asks for.
enum Invocation: Equatable {
    case serve(ServeOptions)
    case ingest(IngestOptions)
    case search(SearchOptions)
    case ask(AskOptions)
    case backup(BackupOptions)
    case migrate(MigrateOptions)
    case user(UserOptions)
    case doctor(ServeOptions)
    case version
    case help(topic: String?)
}

/// The options of `quarry serve`, as given (validated later, with the environment, in ServeSettings).
struct ServeOptions: Equatable {
    var host: String?
    var port: String?
    var db: String?
    /// `--redis redis://…`: broadcasts across hosts (docs/many-hosts.md).
    var redis: String?
    var docs: String?
    var logLevel: String?
    var allowedOrigins: [String] = []
    var maxConnections: String?
    var language: String?
    /// `--kiosk` (or `--kiosk=no`): kiosk mode, for a shared screen.
    var kiosk: String?
    /// `--auth none|proxy|password`: who may use the page.
    var auth: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
    var chat = ChatOptions()
}

/// The options that say how questions are answered, for `serve` and `ask`.
struct ChatOptions: Equatable {
    var llmBaseURL: String?
    var llmModel: String?
    var maxAnswers: String?
    var answerTimeout: String?
}

/// `quarry ask [--db FILE] [options] QUESTION…`.
struct AskOptions: Equatable {
    var db: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
    var chat = ChatOptions()
    var question = ""
}

/// `quarry ingest [--db FILE] PATH…`.
struct IngestOptions: Equatable {
    var db: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
    var paths: [String] = []
}

/// `quarry search [--db FILE] [--limit N] QUESTION…`.
struct SearchOptions: Equatable {
    var db: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
    var limit: String?
    var question = ""
}

/// `quarry backup [--db FILE] COPY`.
struct BackupOptions: Equatable {
    var db: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
    var copy = ""
}

/// `quarry migrate [--db FILE] POSTGRESQL-URL`.
struct MigrateOptions: Equatable {
    var db: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
    /// The PostgreSQL database to copy into.
    var target = ""
}

/// `quarry user add NAME [--admin]`, `passwd NAME`, `remove NAME`, `list`, each with `[--db FILE] [--config FILE]`.
struct UserOptions: Equatable {
    /// What to do to the accounts.
    enum Action: Equatable {
        case add(name: String, isAdmin: Bool)
        case passwd(name: String)
        case remove(name: String)
        case list

        /// The account it names, if any.
        var name: String? {
            switch self {
            case .add(let name, _), .passwd(let name), .remove(let name): name
            case .list: nil
            }
        }
    }

    var action: Action
    var db: String?
    /// A settings file of KEY=value lines, beneath the environment (`ConfigFile`).
    var config: String?
}

/// A command line that cannot be understood, said for the person who typed it.
struct UsageError: Error, Equatable, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Invocation {
    /// The options of `serve` and `ask` that say how questions are answered.
    static let chatOptions = ["llm-base-url", "llm-model", "max-answers", "answer-timeout"]

    /// Parses the arguments after the program name.
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var rest = arguments[...]
        var command = "serve", named = false
        if let first = rest.first, !first.hasPrefix("-") {
            command = first
            named = true
            rest = rest.dropFirst()
        }
        var words: [String] = []
        var options: [(name: String, value: String)] = []
        let takesValue: Set<String>
        // Options that may stand alone: `--kiosk` means `--kiosk=yes`.
        let switches: Set<String> = switch command {
        case "serve", "doctor": ["kiosk"]
        case "user": ["admin"]
        default: []
        }
        switch command {
        case "version":
            guard rest.isEmpty else { throw UsageError(message: "“version” takes no options.") }
            return .version
        case "help":
            return .help(topic: rest.first)
        case "serve", "doctor":
            takesValue = Set(["host", "port", "db", "redis", "docs", "log-level", "allowed-origin", "max-connections", "language", "config", "auth"] + Self.chatOptions)
        case "ask":
            takesValue = Set(["db", "config"] + Self.chatOptions)
        case "ingest":
            takesValue = ["db", "config"]
        case "search":
            takesValue = ["db", "config", "limit"]
        case "backup", "user", "migrate":
            takesValue = ["db", "config"]
        default:
            throw UsageError(message: "Unknown command “\(command)”. The commands are serve, ask, ingest, search, backup, migrate, user, doctor, version and help.")
        }
        while let argument = rest.popFirst() {
            if argument == "-h" || argument == "--help" { return .help(topic: named ? command : nil) }
            if argument == "--version" { return .version }
            if argument == "--" { words += rest; break }
            guard argument.hasPrefix("--") else {
                guard command != "serve", command != "doctor" else {
                    throw UsageError(message: "Unexpected argument “\(argument)”. Options start with --; try quarry serve --help.")
                }
                words.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            // `--database` is `--db` spelled out (as docs/many-hosts.md and DESIGN.md write it).
            if name == "database" { name = "db" }
            if switches.contains(name) {
                options.append((name, value ?? "yes"))
                continue
            }
            guard takesValue.contains(name) else {
                throw UsageError(message: "Unknown option --\(name); try quarry \(command) --help.")
            }
            if value == nil { value = rest.popFirst() }
            guard let value else { throw UsageError(message: "--\(name) needs a value.") }
            options.append((name, value))
        }
        func last(_ name: String) -> String? { options.last { $0.name == name }?.value }
        let chat = ChatOptions(llmBaseURL: last("llm-base-url"), llmModel: last("llm-model"), maxAnswers: last("max-answers"),
                               answerTimeout: last("answer-timeout"))
        switch command {
        case "ask":
            let question = words.joined(separator: " ")
            guard !question.isEmpty else { throw UsageError(message: "Say what to ask: quarry ask \"a question\"") }
            return .ask(AskOptions(db: last("db"), config: last("config"), chat: chat, question: question))
        case "ingest":
            guard !words.isEmpty else { throw UsageError(message: "Say what to ingest: quarry ingest FOLDER-OR-FILE…") }
            return .ingest(IngestOptions(db: last("db"), config: last("config"), paths: words))
        case "search":
            let question = words.joined(separator: " ")
            guard !question.isEmpty else { throw UsageError(message: "Say what to search for: quarry search \"a question\"") }
            return .search(SearchOptions(db: last("db"), config: last("config"), limit: last("limit"), question: question))
        case "backup":
            guard words.count == 1 else {
                throw UsageError(message: words.isEmpty ? "Say where the copy goes: quarry backup FILE"
                                 : "quarry backup makes one copy: give one FILE.")
            }
            return .backup(BackupOptions(db: last("db"), config: last("config"), copy: words[0]))
        case "migrate":
            guard words.count == 1 else {
                throw UsageError(message: "Say which PostgreSQL database to copy into: quarry migrate postgresql://USER:PASSWORD@HOST/DATABASE")
            }
            return .migrate(MigrateOptions(db: last("db"), config: last("config"), target: words[0]))
        case "user":
            return .user(UserOptions(action: try userAction(words, admin: last("admin")), db: last("db"), config: last("config")))
        default:
            let serve = ServeOptions(
                host: last("host"), port: last("port"), db: last("db"), redis: last("redis"), docs: last("docs"), logLevel: last("log-level"),
                allowedOrigins: options.filter { $0.name == "allowed-origin" }.map(\.value),
                maxConnections: last("max-connections"), language: last("language"), kiosk: last("kiosk"),
                auth: last("auth"), config: last("config"), chat: chat)
            return command == "doctor" ? .doctor(serve) : .serve(serve)
        }
    }

    /// `quarry user`'s action from its words (`add NAME`, `passwd NAME`, `remove NAME`, `list`) and `--admin`.
    private static func userAction(_ words: [String], admin: String?) throws(UsageError) -> UserOptions.Action {
        guard let verb = words.first else {
            throw UsageError(message: "Say what to do: quarry user add NAME [--admin], passwd NAME, remove NAME or list.")
        }
        let names = words.dropFirst()
        guard ["add", "passwd", "remove", "list"].contains(verb) else {
            throw UsageError(message: "Unknown user command “\(verb)”: add, passwd, remove or list.")
        }
        guard admin == nil || verb == "add" else { throw UsageError(message: "--admin goes with quarry user add.") }
        guard admin == nil || admin == "yes" || admin == "no" else {
            throw UsageError(message: "--admin takes no value (or yes or no), not “\(admin ?? "")”.")
        }
        if verb == "list" {
            guard names.isEmpty else { throw UsageError(message: "quarry user list takes no NAME.") }
            return .list
        }
        guard names.count == 1, let name = names.first else {
            throw UsageError(message: names.isEmpty ? "Say whose: quarry user \(verb) NAME." : "quarry user \(verb) takes one NAME.")
        }
        switch verb {
        case "add": return .add(name: name, isAdmin: admin == "yes")
        case "passwd": return .passwd(name: name)
        default: return .remove(name: name)
        }
    }
}
