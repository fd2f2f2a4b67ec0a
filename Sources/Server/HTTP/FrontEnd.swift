// The page the server carries in its binary. `FrontEnd.generated` is written at build time by tools/frontend
// from Resources/ (the FrontEndGenerator plugin): minified text, content hashes and gzip bytes, computed once.
internal import Crypto
internal import TurboStream
internal import Words

/// The shell, in each language, and the assets it links.
struct FrontEnd: Sendable {
    /// An asset, served at its hashed path with immutable caching.
    struct Asset: Sendable {
        let path: String
        let contentType: String
        let text: String
        let hash: String
        let gzipBase64URL: String
    }

    /// The shell's HTML by language code, asset links resolved and words put in; `{{streams}}` marks where the
    /// page's stream sources go.
    let shells: [String: String]
    let assets: [Asset]

    /// The shell in `language`, in English when there is none in it.
    func shell(in language: Language) -> String {
        shells[language.code] ?? shells[Language.english.code] ?? ""
    }
}

/// The shell with its stream sources, the person signed in and kiosk settings filled in, per page.
struct ShellTemplate: Sendable {
    private let beforeStreams: String
    private let beforeAccount: String
    private let beforeKiosk: String
    private let after: String

    init(html: String) {
        let parts = html.split(separator: "{{streams}}", maxSplits: 1, omittingEmptySubsequences: false)
        beforeStreams = String(parts[0])
        let rest = parts.count > 1 ? parts[1] : ""
        let account = rest.split(separator: "{{account}}", maxSplits: 1, omittingEmptySubsequences: false)
        beforeAccount = String(account[0])
        let afterAccount = account.count > 1 ? account[1] : ""
        let kiosk = afterAccount.split(separator: "{{kiosk}}", maxSplits: 1, omittingEmptySubsequences: false)
        beforeKiosk = String(kiosk[0])
        after = kiosk.count > 1 ? String(kiosk[1]) : ""
    }

    /// The page, with one stream-source element per signed stream name; `account` is the HTML that says who is
    /// signed in (`{{account}}`, empty for an anonymous page); `kiosk` puts the idle and countdown seconds on the
    /// kiosk element (`{{kiosk}}` in its tag), nil hides it.
    func render(signedStreams: [String], account: String = "", kiosk: KioskTiming? = nil) -> String {
        let sources = signedStreams.map {
            "<\(Wire.streamSourceElement) \(Wire.signedStreamNameAttribute)=\"\(HTML.escape($0))\"></\(Wire.streamSourceElement)>"
        }.joined()
        let attributes = kiosk.map {
            " data-idle=\"\($0.idleSeconds - $0.countdownSeconds)\" data-countdown=\"\($0.countdownSeconds)\""
        } ?? " hidden"
        return beforeStreams + sources + beforeAccount + account + beforeKiosk + attributes + after
    }
}

extension StaticAsset {
    /// An asset as the generator prepared it.
    init(_ asset: FrontEnd.Asset) {
        let identity = Array(asset.text.utf8)
        // The generator wrote these bytes; failing to read them back would be a broken build.
        let gzipped = ByteEncoding.bytes(base64URL: asset.gzipBase64URL)
        precondition(gzipped != nil, "generated front end: bad gzip bytes for \(asset.path)")
        self.init(contentType: asset.contentType, identity: identity, gzipped: gzipped, hash: asset.hash)
    }
}
