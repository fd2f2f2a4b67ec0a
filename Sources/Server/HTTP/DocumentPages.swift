// The pages that read the knowledge base: a document opened from a source (the reading view) and its original
// file. They are made off the service thread, on a thread of their own, because they read the database and render
// Markdown; the service thread routes the request, hands it over, and writes the response when it is ready
// (ServiceLoop+Documents.swift). Who makes them (the chat, which has the store) implements `DocumentPages`.
internal import TurboStream
public import Words

/// What a reading address asks for.
public enum DocumentRoute: Sendable, Equatable {
    /// `/documents/<id>`: a document from its beginning.
    case document(Int64)
    /// `/documents/<id>/passages/<chunk>`: a document around one of its passages, the passage marked.
    case passage(document: Int64, chunk: Int64)
    /// `/documents/<id>/from/<place>`: a document from one of its chunks on (earlier and later parts).
    case part(document: Int64, from: Int)
    /// `/documents/<id>/file`: the file the document was read from.
    case file(Int64)
    /// `/messages/<answer>/sources/<rank>`: the passage an answer's source names, opened for the conversation it
    /// belongs to (only its session may, and its page leads back to that conversation).
    case source(message: Int64, rank: Int)

    /// The route of a path, if it is one.
    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        func id(_ text: Substring) -> Int64? {
            guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int64(text)
        }
        switch Array(parts) {
        case let p where p.count == 2 && p[0] == "documents":
            guard let document = id(p[1]) else { return nil }
            self = .document(document)
        case let p where p.count == 3 && p[0] == "documents" && p[2] == "file":
            guard let document = id(p[1]) else { return nil }
            self = .file(document)
        case let p where p.count == 4 && p[0] == "documents" && p[2] == "passages":
            guard let document = id(p[1]), let chunk = id(p[3]) else { return nil }
            self = .passage(document: document, chunk: chunk)
        case let p where p.count == 4 && p[0] == "documents" && p[2] == "from":
            guard let document = id(p[1]), let place = id(p[3]), place <= Int32.max else { return nil }
            self = .part(document: document, from: Int(place))
        case let p where p.count == 4 && p[0] == "messages" && p[2] == "sources":
            guard let message = id(p[1]), let rank = id(p[3]), rank <= Int32.max else { return nil }
            self = .source(message: message, rank: Int(rank))
        default:
            return nil
        }
    }

    /// The id of the marked passage in a reading page, which its address scrolls to.
    public static let passageAnchor = "passage"

    /// The address of a passage in its document's reading view, scrolled to it.
    public static func passageAddress(document: Int64, chunk: Int64) -> String {
        "/documents/\(document)/passages/\(chunk)#\(passageAnchor)"
    }

    /// The address of an answer's source, scrolled to its passage.
    public static func sourceAddress(message: Int64, rank: Int) -> String {
        "/messages/\(message)/sources/\(rank)#\(passageAnchor)"
    }

    /// The address of a document from its chunk at `place` on.
    public static func partAddress(document: Int64, from place: Int) -> String {
        place == 0 ? "/documents/\(document)" : "/documents/\(document)/from/\(place)"
    }

    /// The address of a document's original file.
    public static func fileAddress(document: Int64) -> String { "/documents/\(document)/file" }
}

/// What a reading address answers.
public enum DocumentResponse: Sendable {
    /// A page: `title` (plain text) and `body` (HTML, already escaped), framed by the server with the stylesheet
    /// and a link back to the conversation at `back` (an address on this server: `/`, or `/#<thread>`).
    case page(title: String, body: String, back: String)
    /// A file, shown in the browser (`download` nil) or saved under that name.
    case file(contentType: String, bytes: [UInt8], download: String?)
    /// Somewhere else (an address on this server).
    case moved(String)
    /// A clear sentence for a person, with the status it goes with (404, 413, 503 …).
    case failure(status: Int, message: String)
}

/// Makes the pages of reading addresses. Called on a thread of the server's own, one request at a time: it may
/// block on the database and take a while, but keep it bounded (the size of a page, of a file).
public protocol DocumentPages: Sendable {
    /// The response to `route`, asked for by a browser of `session`, its words in the language of its page.
    func respond(to route: DocumentRoute, session: SessionID, words: Words) -> DocumentResponse
}

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
