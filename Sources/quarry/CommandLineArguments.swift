// Parsing `quarry`'s command line: a subcommand and `--name value` / `--name=value` options.
//
// Why not swift-argument-parser: it links FoundationEssentials into the binary, which costs a small box about
// 2 MB of resident memory and 6 MB of disk for a command with eight options (measured; docs/performance.md).

/// What the command line asks for.
enum Invocation: Equatable {
    case serve(ServeOptions)
    case version
    case help(topic: String?)
}

/// The options of `quarry serve`, as given (validated later, with the environment, in ServeSettings).
struct ServeOptions: Equatable {
    var host: String?
    var port: String?
    var db: String?
    var docs: String?
    var logLevel: String?
    var allowedOrigins: [String] = []
    var maxConnections: String?
}

/// A command line that cannot be understood, said for the person who typed it.
struct UsageError: Error, Equatable, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Invocation {
    /// Parses the arguments after the program name.
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var rest = arguments[...]
        var command = "serve", named = false
        if let first = rest.first, !first.hasPrefix("-") {
            command = first
            named = true
            rest = rest.dropFirst()
        }
        switch command {
        case "version":
            guard rest.isEmpty else { throw UsageError(message: "“version” takes no options.") }
            return .version
        case "help":
            return .help(topic: rest.first)
        case "serve":
            break
        default:
            throw UsageError(message: "Unknown command “\(command)”. The commands are serve, version and help.")
        }
        var options = ServeOptions()
        while let argument = rest.popFirst() {
            if argument == "-h" || argument == "--help" { return .help(topic: named ? "serve" : nil) }
            if argument == "--version" { return .version }
            guard argument.hasPrefix("--") else {
                throw UsageError(message: "Unexpected argument “\(argument)”. Options start with --; try quarry serve --help.")
            }
            var name = String(argument.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            func takeValue() throws(UsageError) -> String {
                if let value { return value }
                guard let next = rest.popFirst() else { throw UsageError(message: "--\(name) needs a value.") }
                return next
            }
            switch name {
            case "host": options.host = try takeValue()
            case "port": options.port = try takeValue()
            case "db": options.db = try takeValue()
            case "docs": options.docs = try takeValue()
            case "log-level": options.logLevel = try takeValue()
            case "allowed-origin": options.allowedOrigins.append(try takeValue())
            case "max-connections": options.maxConnections = try takeValue()
            default: throw UsageError(message: "Unknown option --\(name); try quarry serve --help.")
            }
        }
        return .serve(options)
    }
}
