import Gzip
import Testing
@testable import Server
import TurboStream
import Words

/// The generated front end: its names agree with Wire, it stays within its byte budget, and the page's policy
/// holds for it.
@Suite struct FrontEndTests {
    let frontEnd = FrontEnd.generated
    var script: String { frontEnd.assets.first { $0.path.hasSuffix(".js") }!.text }
    var stylesheet: String { frontEnd.assets.first { $0.path.hasSuffix(".css") }!.text }
    /// The shell in every language.
    var shells: [String] { Language.all.map { frontEnd.shell(in: $0) } }

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
            for shell in shells { #expect(shell.contains("id=\"\(id)\""), "\(id) is not in the shell") }
        }
        #expect(script.contains("source.id = \"\(Wire.ElementID.threadSource)\""))
        #expect(script.contains("\"\(Wire.ElementID.messageContentPrefix)\" + id"))
    }

    @Test func noPlaceholderIsLeftAndTheShellLinksTheHashedAssets() {
        let adminScript = frontEnd.assets.first { $0.path.hasPrefix("/assets/admin.") }
        for text in shells + [script, stylesheet, adminScript?.text ?? ""] {
            #expect(!text.contains("{{wire:"))
            #expect(!text.contains("{{word:"))
        }
        #expect(adminScript != nil, "the admin pages' script is served")
        for shell in shells {
            // The admin pages' script is linked by the admin pages, not the chat page.
            for asset in frontEnd.assets where asset.path != adminScript?.path { #expect(shell.contains("\"\(asset.path)\"")) }
            if let adminScript { #expect(!shell.contains(adminScript.path)) }
            #expect(shell.contains("{{streams}}"))
            #expect(!shell.contains("<script>"), "no inline script")
        }
    }

    /// Each language's shell says its language and has its words; the script has none of its own (it reads the
    /// status words from the page), and the stylesheet gives the Copy button its words in every language.
    @Test func everyLanguageHasItsShellAndTheScriptNoWords() {
        for language in Language.all {
            let shell = frontEnd.shell(in: language), words = Words(language)
            #expect(shell.contains("<html lang=\"\(language.code)\">"))
            for word in [Word.pageNewConversation, .pageSend, .pageConnected, .pageReconnecting] {
                #expect(shell.contains(HTML.escape(words[word])), "\(language): \(word)")
            }
            let selector = language == .english ? ":root {" : ":root:lang(\(language.code)) {"
            #expect(stylesheet.contains("\(selector) --word-page-copy: \"\(words[.pageCopy])\";"), "\(language)")
        }
        #expect(frontEnd.shell(in: Language("de")!).contains(">Neue Unterhaltung<"))
        for english in ["Connected", "Reconnecting", "Copied"] { #expect(!script.contains(english)) }
    }

    @Test func budget() throws {
        func gzipped(_ text: String) throws -> Int { try Gzip.compress(Array(text.utf8), level: 9).count }
        let js = try gzipped(script), css = try gzipped(stylesheet)
        let shell = try shells.map {
            try gzipped(ShellTemplate(html: $0).render(signedStreams: [
                String(repeating: "s", count: 43) + "--" + String(repeating: "0", count: 64),
            ]))
        }.max()!
        print("front end, gzip -9: JavaScript \(js) B (budget 3,000), shell \(shell) B + CSS \(css) B + JS = \(shell + css + js) B on first load (budget 10,240)")
        #expect(js <= 3_000)
        #expect(shell + css + js <= 10_240)
    }
}
