// The reading view: a source opened from an answer. The document is rendered from its stored chunks (so it reads
// the same whatever its format, and only what Quarry ingested can be shown), its cited passage marked and scrolled
// to, its headings and pages shown, and a link to the original file when it is still in the documents folder (a
// PDF opens at the passage's page in the browser's own viewer).
//
// A page holds a window of the document around the passage (at most `Window.chunks` chunks and `Window.bytes`
// of text), with links to the parts before and after, so a 500-page handbook costs what a chapter does.
// Consecutive chunks of one section overlap (the chunker repeats up to 120 characters of the previous one); the
// repeated text is shown once.
public import Contracts
internal import Markdown
public import Store
internal import Retrieval
internal import TurboStream
public import Words

/// Makes the reading pages (`/documents/…`) from the store, on the server's reading thread.
public final class ReadingRoom: DocumentPages {
    let store: any ConversationStorage
    /// The documents folder being served, whose files may be opened; nil: originals are never offered.
    let folder: String?

    /// How much of a document one page holds.
    enum Window {
        static let chunks = 200
        /// Chunks shown before the passage, when there are so many.
        static let before = 60
        static let bytes = 512 * 1024
    }

    public init(store: any ConversationStorage, folder: String?) {
        self.store = store
        self.folder = folder.map { OriginalFile.resolvedFolder($0) ?? $0 }
    }

    /// The response to `route` in English.
    public func respond(to route: DocumentRoute, session: SessionID) -> DocumentResponse {
        respond(to: route, session: session, words: .english)
    }

    public func respond(to route: DocumentRoute, session: SessionID, words: Words) -> DocumentResponse {
        do {
            switch route {
            case .source(let message, let rank):
                // Only the conversation's own session learns anything of it.
                guard let source = try store.readableSource(message: message, rank: rank, session: session.rawValue) else {
                    return .failure(status: 404, message: words[.readingNoSource])
                }
                let back = "/#\(source.thread)"
                guard let chunk = source.chunk, let place = try store.chunkPlace(id: chunk) else {
                    return Self.passageGone(back: back, words: words)
                }
                return try page(place.document, from: max(0, place.ordinal - Window.before), cited: chunk, back: back, words: words)
            case .passage(let document, let chunk):
                guard let place = try store.chunkPlace(id: chunk) else { return Self.passageGone(back: "/", words: words) }
                guard place.document == document else {
                    return .moved(DocumentRoute.passageAddress(document: place.document, chunk: chunk))
                }
                return try page(document, from: max(0, place.ordinal - Window.before), cited: chunk, back: "/", words: words)
            case .document(let document):
                return try page(document, from: 0, cited: nil, back: "/", words: words)
            case .part(let document, let from):
                return try page(document, from: from, cited: nil, back: "/", words: words)
            case .file(let document):
                return try original(document, words: words)
            }
        } catch {
            return .failure(status: 503, message: words[.readingUnavailable])
        }
    }

    /// A page saying a source's passage is gone, with the way back.
    static func passageGone(back: String, words: Words) -> DocumentResponse {
        .page(title: words[.readingGoneTitle], body: """
            <main class="document"><h1>\(HTML.escape(words[.readingGoneHeading]))</h1>\
            <p>\(HTML.escape(words[.readingGone]))</p></main>
            """, back: back)
    }
    static func documentGone(_ words: Words) -> DocumentResponse {
        .failure(status: 404, message: words[.readingNoDocument])
    }

    private func page(_ id: Int64, from: Int, cited: Int64?, back: String, words: Words) throws(StoreError)
        -> DocumentResponse
    {
        guard let document = try store.readableDocument(id: id) else { return Self.documentGone(words) }
        var chunks = try store.readableChunks(document: id, from: from, limit: Window.chunks)
        // Within the byte budget, keeping the cited passage: drop from the end, then from the start.
        var bytes = chunks.reduce(0) { $0 + $1.text.utf8.count }
        while bytes > Window.bytes, chunks.count > 1 {
            let last = chunks.count - 1
            let drop = chunks[last].id == cited ? 0 : last
            bytes -= chunks[drop].text.utf8.count
            chunks.remove(at: drop)
        }
        let original = folder.flatMap { OriginalFile.locate(document.path, in: $0) }
        let citedChunk = chunks.first { $0.id == cited }
        var html = "<main class=\"document\"><header><h1>\(HTML.escape(document.title))</h1>"
        html += "<p class=\"origin\">\(HTML.escape(displayPath(document.path)))"
        if let original {
            let page = citedChunk?.pages.map { "#page=\($0.lowerBound)" } ?? ""
            let label = original.isPDF
                ? (citedChunk?.pages.map { words(.readingOpenPdfPage, ("page", "\($0.lowerBound)")) } ?? words[.readingOpenPdf])
                : original.shownInBrowser ? words[.readingOpenOriginal] : words[.readingDownloadOriginal]
            html += " · <a class=\"original\" href=\"\(DocumentRoute.fileAddress(document: id))\(page)\">\(HTML.escape(label))</a>"
        }
        html += "</p>"
        if let citedChunk {
            let place = ([document.title] + citedChunk.headingPath).joined(separator: " › ")
            let page = pageLabel(citedChunk.pages).map { ", \($0)" } ?? ""
            html += "<p class=\"cited-at\"><a href=\"#\(DocumentRoute.passageAnchor)\">\(HTML.escape(words[.readingPassage]))</a>: "
                + "\(HTML.escape(place))\(page)</p>"
        }
        html += "</header>"
        if let first = chunks.first, first.ordinal > 0 {
            let back = max(0, first.ordinal - Window.chunks)
            html += "<p class=\"more\"><a href=\"\(DocumentRoute.partAddress(document: id, from: back))\">"
                + "\(HTML.escape(words[.readingEarlier]))</a></p>"
        }
        html += Self.body(chunks, cited: cited)
        if let last = chunks.last, last.ordinal + 1 < document.chunkCount {
            html += "<p class=\"more\"><a href=\"\(DocumentRoute.partAddress(document: id, from: last.ordinal + 1))\">"
                + "\(HTML.escape(words[.readingLater]))</a></p>"
        }
        if chunks.isEmpty { html += "<p class=\"more\">\(HTML.escape(words[.readingEmpty]))</p>" }
        html += "</main>"
        return .page(title: document.title, body: html, back: back)
    }

    /// The chunks as the document's text: headings where the heading path changes, a page mark where a new page
    /// is reached, each chunk's own text (without what it repeats of the one before) rendered as Markdown.
    static func body(_ chunks: [ReadableChunk], cited: Int64?) -> String {
        var html = ""
        var headings: [String] = []
        var page: Int?
        var previous: ReadableChunk?
        for chunk in chunks {
            // The headings that begin here: those after the part the path shares with the one before.
            let shared = zip(headings, chunk.headingPath).prefix { $0 == $1 }.count
            for (level, heading) in chunk.headingPath.enumerated().dropFirst(shared) {
                let tag = "h\(min(6, level + 2))"
                html += "<\(tag)>\(HTML.escape(heading))</\(tag)>"
            }
            headings = chunk.headingPath
            // The pages this chunk reaches that no chunk before it did (a page that begins inside it is marked
            // before it).
            if let pages = chunk.pages {
                let first = max(pages.lowerBound, (page ?? 0) + 1)
                if first <= pages.upperBound { html += "<p class=\"page-mark\">\(pageLabel(first...pages.upperBound)!)</p>" }
                page = max(page ?? 0, pages.upperBound)
            }
            var text = chunk.text
            if let previous, previous.headingPath == chunk.headingPath {
                text = withoutRepeat(text, after: previous.text)
            }
            let marked = chunk.id == cited
            html += marked ? "<section id=\"\(DocumentRoute.passageAnchor)\" class=\"chunk content cited\">"
                : "<section class=\"chunk content\">"
            html += Markdown.html(text) + "</section>"
            previous = chunk
        }
        return html
    }

    /// `text` without the start it repeats of `previous`'s end (the chunker's overlap): the longest prefix of
    /// `text`, at least 16 bytes and at most 512, that `previous` ends with, and the spaces after it.
    static func withoutRepeat(_ text: String, after previous: String) -> String {
        let head = Array(text.utf8), tail = Array(previous.utf8)
        var length = min(512, head.count, tail.count)
        while length >= 16 {
            if head[0..<length].elementsEqual(tail[(tail.count - length)...]) {
                var rest = head[length...].drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }
                // Never cut inside a character: continuation bytes cannot start a string.
                while let first = rest.first, first & 0xC0 == 0x80 { rest = rest.dropFirst() }
                return String(decoding: rest, as: UTF8.self)
            }
            length -= 1
        }
        return text
    }

    /// The document's path as people know it: inside the documents folder, relative to it.
    private func displayPath(_ path: String) -> String {
        guard let folder else { return path }
        let root = folder.hasSuffix("/") ? folder : folder + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }

    private func original(_ id: Int64, words: Words) throws(StoreError) -> DocumentResponse {
        guard let document = try store.readableDocument(id: id) else { return Self.documentGone(words) }
        guard let folder, let original = OriginalFile.locate(document.path, in: folder), let bytes = original.read() else {
            return .failure(status: 404, message: words(.readingNoOriginal, ("title", document.title)))
        }
        return .file(contentType: original.contentType, bytes: bytes, download: original.shownInBrowser ? nil : original.name)
    }
}
