import Gzip
import Testing
@testable import Server
import TurboStream

/// The generated front end: its names agree with Wire, it stays within its byte budget, and the page's policy
/// holds for it.
@Suite struct FrontEndTests {
    let frontEnd = FrontEnd.generated
    var script: String { frontEnd.assets.first { $0.path.hasSuffix(".js") }!.text }
    var stylesheet: String { frontEnd.assets.first { $0.path.hasSuffix(".css") }!.text }

    @Test func theScriptsActionTableIsStreamActionsCases() throws {
        let table = try #require(script.firstMatch(of: /const actions = \{(.*?)\n\s*\};/.dotMatchesNewlines()))
        let keys = Set(table.output.1.matches(of: /^\s*([a-z]+)\(/.anchorsMatchLineEndings()).map { String($0.output.1) })
        #expect(keys == Set(StreamAction.allCases.map(\.rawValue)))
    }

    @Test func theScriptSendsEveryOpByItsWireName() {
        for op in Wire.Op.allCases { #expect(script.contains("op: \"\(op.rawValue)\""), "\(op)") }
        #expect(script.contains("\"\(Wire.socketPath)\""))
    }

    @Test func everyIdTheScriptLooksUpIsInTheShellOrMadeByTheScript() {
        let ids = Set(script.matches(of: /\$\("([a-z-]+)"\)/).map { String($0.output.1) })
        #expect(ids.count >= 10)
        for id in ids where id != Wire.ElementID.threadSource {
            #expect(frontEnd.shell.contains("id=\"\(id)\""), "\(id) is not in the shell")
        }
        #expect(script.contains("source.id = \"\(Wire.ElementID.threadSource)\""))
        #expect(script.contains("\"\(Wire.ElementID.messageContentPrefix)\" + id"))
    }

    @Test func noPlaceholderIsLeftAndTheShellLinksTheHashedAssets() {
        for text in [frontEnd.shell, script, stylesheet] { #expect(!text.contains("{{wire:")) }
        for asset in frontEnd.assets { #expect(frontEnd.shell.contains("\"\(asset.path)\"")) }
        #expect(frontEnd.shell.contains("{{streams}}"))
        #expect(!frontEnd.shell.contains("<script>"), "no inline script")
    }

    @Test func budget() throws {
        func gzipped(_ text: String) throws -> Int { try Gzip.compress(Array(text.utf8), level: 9).count }
        let js = try gzipped(script), css = try gzipped(stylesheet)
        let shell = try gzipped(ShellTemplate(html: frontEnd.shell).render(signedStreams: [
            String(repeating: "s", count: 43) + "--" + String(repeating: "0", count: 64),
        ]))
        print("front end, gzip -9: JavaScript \(js) B (budget 3,000), shell \(shell) B + CSS \(css) B + JS = \(shell + css + js) B on first load (budget 10,240)")
        #expect(js <= 3_000)
        #expect(shell + css + js <= 10_240)
    }
}
