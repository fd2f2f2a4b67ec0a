// The page the server carries in its binary. For now a small hand-written shell, stylesheet and script; the
// build-time generator of the front-end issue replaces this file with generated, minified, pre-compressed bytes.
internal import TurboStream

/// The shell template and the assets it links.
struct FrontEnd: Sendable {
    /// An asset file: served at `/assets/<stem>.<hash>.<ext>`.
    struct File: Sendable {
        let stem: String
        let ext: String
        let contentType: String
        let bytes: [UInt8]
    }

    /// The shell's HTML with `{{asset:<stem>.<ext>}}` and `{{streams}}` placeholders.
    let shell: String
    let assets: [File]
}

/// The shell with its placeholders resolved, per page.
struct ShellTemplate: Sendable {
    private let before: String
    private let after: String

    init(html: String, assetPaths: [String: String]) {
        var resolved = html
        for (name, path) in assetPaths { resolved = resolved.replacing("{{asset:\(name)}}", with: path) }
        let parts = resolved.split(separator: "{{streams}}", maxSplits: 1, omittingEmptySubsequences: false)
        before = String(parts[0])
        after = parts.count > 1 ? String(parts[1]) : ""
    }

    /// The page, with one stream-source element per signed stream name.
    func render(signedStreams: [String]) -> String {
        let sources = signedStreams.map {
            "<\(Wire.streamSourceElement) \(Wire.signedStreamNameAttribute)=\"\(HTML.escape($0))\"></\(Wire.streamSourceElement)>"
        }.joined()
        return before + sources + after
    }
}
