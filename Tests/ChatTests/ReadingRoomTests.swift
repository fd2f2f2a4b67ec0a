// The reading view's pages, from a real store and a real documents folder: the passage marked, headings and pages
// shown once, the chunker's overlap shown once, originals only from inside the folder.
@testable import Chat
import Contracts
import Retrieval
import Store
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReadingRoomTests {
    static let session = SessionID(rawValue: "reader")

    /// A PDF-like document of three chunks over pages 11–12, the second repeating the end of the first.
    func makeStore(_ folder: String) throws -> (Store, Int64, [Int64]) {
        let store = try Store(path: folder + "/q.db")
        let first = "Staff may take leave with two weeks' notice. Leave is approved by the team lead."
        let id = try store.replaceDocument(path: folder + "/docs/handbook.pdf", title: "Staff <handbook>", contentHash: "h",
                                           size: 1, modifiedAt: 1, chunks: [
            NewChunk(ordinal: 0, headingPath: ["Leave"], text: first, pages: 11...11),
            NewChunk(ordinal: 1, headingPath: ["Leave"], text: "Leave is approved by the team lead. Sick leave needs no notice.",
                     pages: 11...12),
            NewChunk(ordinal: 2, headingPath: ["Leave", "Parental leave"], text: "Parental leave is *sixteen* weeks.", pages: 12...12),
        ])
        let chunks = try store.readableChunks(document: id, from: 0, limit: 10).map(\.id)
        return (store, id, chunks)
    }

    func html(_ response: DocumentResponse) -> String {
        guard case .page(_, let body, _) = response else { return "not a page: \(response)" }
        return body
    }

    @Test func aPassageIsMarkedWithItsPlaceAndTheTextReadsOnce() throws {
        try withTemporaryDirectory { folder in
            let (store, id, chunks) = try makeStore(folder)
            let room = ReadingRoom(store: store, folder: nil)
            let page = html(room.respond(to: .passage(document: id, chunk: chunks[1]), session: Self.session))
            #expect(page.contains("<h1>Staff &lt;handbook&gt;</h1>"))
            #expect(page.contains(#"<section id="passage" class="chunk content cited"><p>Sick leave needs no notice.</p>"#),
                    "the overlap with the chunk before is shown once: \(page)")
            #expect(page.ranges(of: "Leave is approved by the team lead.").count == 1)
            #expect(page.contains("Staff &lt;handbook&gt; › Leave, pp. 11–12"), "the passage's place, escaped")
            #expect(page.ranges(of: "<h2>Leave</h2>").count == 1, "a heading once, where it begins")
            #expect(page.contains("<h3>Parental leave</h3>"))
            #expect(page.contains(#"<p class="page-mark">p. 11</p>"#) && page.contains(#"<p class="page-mark">p. 12</p>"#))
            #expect(page.contains("<em>sixteen</em>"), "chunks render as Markdown")
            #expect(!page.contains("Open the PDF"), "no documents folder, no original")
        }
    }

    @Test func aSourceOpensForItsOwnSessionWithTheWayBackToItsConversation() throws {
        try withTemporaryDirectory { folder in
            let (store, id, chunks) = try makeStore(folder)
            let exchange = try #require(try store.startExchange(session: Self.session.rawValue, thread: nil, title: "Leave",
                                                                 question: "How much notice for leave?"))
            try store.finishAnswer(message: exchange.answer, content: "Two weeks.", thinking: "", status: .complete,
                                   model: nil, error: nil, sources: [
                SourceRecord(rank: 1, chunkID: chunks[1], documentTitle: "Staff <handbook>", headingPath: "Leave",
                             excerpt: "Leave is approved", score: 1, distance: nil, relevance: 90, pages: 11...12),
            ])
            let room = ReadingRoom(store: store, folder: nil)
            guard case .page(_, let body, let back) = room.respond(to: .source(message: exchange.answer, rank: 1),
                                                                   session: Self.session) else {
                Issue.record("not a page")
                return
            }
            #expect(back == "/#\(exchange.thread.id)")
            #expect(body.contains(#"<section id="passage" class="chunk content cited">"#))
            // Another session learns nothing of it; a rank that is not there is not found.
            guard case .failure(404, _) = room.respond(to: .source(message: exchange.answer, rank: 1),
                                                       session: SessionID(rawValue: "someone-else")) else {
                Issue.record("another session read it")
                return
            }
            guard case .failure(404, _) = room.respond(to: .source(message: exchange.answer, rank: 2), session: Self.session)
            else { Issue.record("rank 2 found"); return }
            // Its document read again: the passage is gone, and the page says so, with the way back.
            _ = try store.replaceDocument(path: folder + "/docs/handbook.pdf", title: "Staff handbook", contentHash: "h2",
                                          size: 1, modifiedAt: 2, chunks: [NewChunk(ordinal: 0, headingPath: [], text: "New.")])
            guard case .page(_, let gone, "/#\(exchange.thread.id)") = room.respond(to: .source(message: exchange.answer, rank: 1),
                                                                                 session: Self.session) else {
                Issue.record("no page for a gone passage")
                return
            }
            #expect(gone.contains("no longer in the documents"))
            guard case .failure(404, _) = room.respond(to: .document(999_999), session: Self.session) else {
                Issue.record("not 404")
                return
            }
            _ = id
        }
    }

    @Test func theOriginalOpensAtThePassagesPageOnlyFromInsideTheFolder() throws {
        try withTemporaryDirectory { folder in
            let (store, id, chunks) = try makeStore(folder)
            mkdir(folder + "/docs", 0o755)
            try writeFile(folder + "/docs/handbook.pdf", Array("%PDF-1.4 not really".utf8))
            let room = ReadingRoom(store: store, folder: folder + "/docs")
            let page = html(room.respond(to: .passage(document: id, chunk: chunks[2]), session: Self.session))
            #expect(page.contains(#"<a class="original" href="/documents/\#(id)/file#page=12">Open the PDF at page 12</a>"#), "\(page)")
            guard case .file("application/pdf", let bytes, nil) = room.respond(to: .file(id), session: Self.session) else { Issue.record("no file"); return }
            #expect(bytes == Array("%PDF-1.4 not really".utf8))

            // The same document's path, now a link to a file outside the folder: not served, not offered.
            try writeFile(folder + "/secret.pdf", Array("secret".utf8))
            unlink(folder + "/docs/handbook.pdf")
            symlink(folder + "/secret.pdf", folder + "/docs/handbook.pdf")
            guard case .failure(404, _) = room.respond(to: .file(id), session: Self.session) else { Issue.record("served a link outside"); return }
            #expect(!html(room.respond(to: .document(id), session: Self.session)).contains("class=\"original\""))
        }
    }

    @Test func aLongDocumentIsShownAWindowAtATime() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: folder + "/q.db")
            let chunks = (0..<500).map { NewChunk(ordinal: $0, headingPath: [], text: "Paragraph number \($0) of the long one.") }
            let id = try store.replaceDocument(path: "/long.txt", title: "Long", contentHash: "l", size: 1, modifiedAt: 1,
                                               chunks: chunks)
            let ids = try store.readableChunks(document: id, from: 0, limit: 500).map(\.id)
            let room = ReadingRoom(store: store, folder: nil)
            let page = html(room.respond(to: .passage(document: id, chunk: ids[300]), session: Self.session))
            #expect(page.contains("Paragraph number 300 of") && page.contains("Paragraph number \(300 - ReadingRoom.Window.before) of"))
            #expect(!page.contains("Paragraph number \(299 - ReadingRoom.Window.before) of"))
            #expect(page.contains(#"href="/documents/\#(id)/from/\#(300 - ReadingRoom.Window.before - ReadingRoom.Window.chunks < 0 ? 0 : 300 - ReadingRoom.Window.before - ReadingRoom.Window.chunks)""#)
                    || page.contains(#"href="/documents/\#(id)">↑ Earlier"#))
            let last = 300 - ReadingRoom.Window.before + ReadingRoom.Window.chunks
            #expect(page.contains(#"href="/documents/\#(id)/from/\#(last)">↓ Later"#))
        }
    }

    @Test(arguments: [
        ("Leave is approved by the team lead. Sick leave.", "Notice. Leave is approved by the team lead.", "Sick leave."),
        ("Short overlap here", "ends with Short", "Short overlap here"),  // under 16 bytes: not a repeat
        ("No repeat at all, nothing shared.", "Something else entirely.", "No repeat at all, nothing shared."),
    ])
    func overlapIsRemoved(text: String, previous: String, expected: String) {
        #expect(ReadingRoom.withoutRepeat(text, after: previous) == expected)
    }
}
