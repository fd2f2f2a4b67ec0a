// The pages that read the knowledge base: a document opened from a source (the reading view) and its original
// file. They are made off the service thread, on a thread of their own, because they read the database and render
// Markdown; the server's service thread routes the request, hands it over, and writes the response when it is ready
// (Server's ServiceLoop+Documents.swift). Who makes them (the chat, which has the store) implements `DocumentPages`.
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

    /// The route of a path, if it is one (the server's router asks).
    package init?(path: String) {
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
