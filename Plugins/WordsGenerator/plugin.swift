// Runs tools/words over Resources/words/*.txt whenever one changes (or one is added), so the Words module carries
// every language's words: adding a language is adding a file.
import Foundation
import PackagePlugin

@main
struct WordsGenerator: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Resources/words")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path())
            .filter { $0.hasSuffix(".txt") }.sorted().map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "Words.generated.swift")
        return [
            .buildCommand(
                displayName: "Generating the words from Resources/words/",
                executable: try context.tool(named: "quarry-words").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs + [folder],
                outputFiles: [output]
            ),
        ]
    }
}
