// The frame of the server's own pages (a reading page, the sign-in form, an admin page): the stylesheets, a title,
// a way back; and a reading address's answer (`DocumentResponse`) as an HTTP response.
internal import Contracts
internal import TurboStream
internal import Words

/// Frames a reading page: the page's stylesheets, its title, a way back.
struct ReadingFrame: Sendable {
    let stylesheets: [String]
    /// The admin pages' script (`Resources/admin.js`), at its hashed path.
    let adminScript: String?

    init(assets: [String: StaticAsset]) {
        stylesheets = assets.keys.filter { $0.hasSuffix(".css") }.sorted()
        adminScript = assets.keys.first { $0.hasPrefix("/assets/admin.") && $0.hasSuffix(".js") }
    }

    /// A page of the server's own (a reading page, the sign-in form, an admin page) around `body`, with the
    /// stylesheets and, when given, one script of the server's assets.
    func page(title: String, bodyClass: String, words: Words, script: String? = nil, body: String) -> String {
        let links = stylesheets.map { "<link rel=\"stylesheet\" href=\"\(HTML.escape($0))\">" }.joined()
            + (script.map { "<script src=\"\(HTML.escape($0))\" defer></script>" } ?? "")
        return """
            <!doctype html><html lang="\(words.language.code)"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width, initial-scale=1">\
            <meta name="color-scheme" content="light dark"><title>\(HTML.escape(title)) · Quarry</title>\
            <link rel="icon" href="data:,">\(links)</head><body class="\(bodyClass)">\(body)</body></html>
            """
    }

    func response(to route: DocumentRoute, _ answer: DocumentResponse, words: Words = .english) -> HTTPResponse {
        switch answer {
        case .page(let title, let body, let back):
            let html = page(title: title, bodyClass: "reading", words: words, body: """
                <nav class="reading-bar"><a href="\(HTML.escape(back))">\(HTML.escape(words[.readingBack]))</a></nav>\(body)
                """)
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8",
                                headers: [("cache-control", "no-store")], body: Array(html.utf8))
        case .file(let contentType, let bytes, let download):
            var headers: [(name: String, value: String)] = [("cache-control", "no-store")]
            // A web page from the documents folder runs nothing and reaches nothing of this origin's.
            if contentType.hasPrefix("text/html") { headers.append(("content-security-policy", "sandbox")) }
            if let download {
                // Only the characters a file name needs; the rest become "_" (no quotes, no header injection).
                let safe = String(download.unicodeScalars.map {
                    $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._- ".unicodeScalars.contains($0))
                        ? Character($0) : "_"
                })
                headers.append(("content-disposition", "attachment; filename=\"\(safe)\""))
            }
            return HTTPResponse(status: 200, contentType: contentType, headers: headers, body: bytes)
        case .moved(let address):
            return HTTPResponse(status: 303, contentType: "text/plain; charset=utf-8",
                                headers: [("location", address), ("cache-control", "no-store")],
                                body: Array("See \(address)\n".utf8))
        case .failure(let status, let message):
            return .text(status, message, headers: [("cache-control", "no-store")])
        }
    }
}
