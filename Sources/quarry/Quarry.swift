// The `quarry` command: serve the page and the socket, or print the version.
import ArgumentParser

@main
struct Quarry: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "quarry",
        abstract: "Ask your documents: a self-hosted chat server that streams answers with their sources.",
        version: version,
        subcommands: [Serve.self, Version.self],
        defaultSubcommand: Serve.self
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Quarry's version.")

    func run() {
        print("quarry \(Quarry.version)")
    }
}
