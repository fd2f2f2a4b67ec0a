// Runs tools/frontend over Resources/ whenever a source changes, so `swift build` alone produces a binary that
// carries its page: the generated Swift joins the Server module.
import Foundation
import PackagePlugin

@main
struct FrontEndGenerator: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let resources = context.package.directoryURL.appending(path: "Resources")
        // The words files too: the shell and the stylesheet are made in every language.
        let words = resources.appending(path: "words")
        let inputs = ["shell.html", "quarry.css", "quarry.js", "admin.js"].map { resources.appending(path: $0) }
            + (try FileManager.default.contentsOfDirectory(atPath: words.path())).filter { $0.hasSuffix(".txt") }.sorted()
                .map { words.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "FrontEnd.generated.swift")
        return [
            .buildCommand(
                displayName: "Generating the front end from Resources/",
                executable: try context.tool(named: "quarry-frontend").url,
                arguments: [resources.path(), output.path()],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
