@testable import Chat
import Contracts
import LLM
import Store
import TestSupport
import Testing
import TurboStream
import Words

/// A page's language reaches everything the chat says to it: its notices, its answers' steps and endings (stored
/// in the language of the page that asked), and the snapshots each socket gets in its own.
@Suite struct LanguageTests {
    static let german = Language("de")!, french = Language("fr")!

    static func client(_ language: Language, connection: ConnectionID = 1) -> SocketClient {
        SocketClient(connection: connection, session: SessionID(rawValue: "s1"), peer: "127.0.0.1", language: language)
    }

    @Test func aGermanSocketsAnswerHasGermanStepsAndEnding() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            f.service.handle(.ask(thread: nil, content: "How are granite blocks cut?"), from: Self.client(Self.german))
            let answer = try await f.eventually {
                try f.store.threads(session: "s1").flatMap { try f.store.messages(thread: $0.id) }
                    .first { $0.role == "assistant" && $0.status == .complete }
            }
            #expect(Thinking(stored: answer.thinking).steps == [
                "Durchsuche die Wissensbasis…", "2 relevante Quellen gefunden", "Antwort wird erstellt…"])
            let stream = ChatStreams.thread(answer.threadID, session: "s1")
            try await f.until { f.broadcaster.envelopes(to: stream).contains { $0.html.contains("Nachdenken abgeschlossen") } }
            let published = f.broadcaster.envelopes(to: stream).map(\.html).joined()
            #expect(published.contains("<summary>Denkt nach…</summary>"))
            #expect(published.contains("<li>Durchsuche die Wissensbasis…</li>"))
            #expect(!published.contains("Searching knowledge base"))
            // A French socket opening the thread gets its own buttons and summaries; the steps stay as they were
            // asked.
            let snapshot = f.service.snapshot(of: stream, .latest(limit: 20), words: Words(Self.french)).first!.html
            #expect(snapshot.contains("<summary>Réflexion terminée</summary>"))
            #expect(snapshot.contains("<li>Durchsuche die Wissensbasis…</li>"))
            #expect(f.service.snapshot(of: stream).first!.html.contains("<summary>Thinking complete</summary>"))
        }
    }

    @Test func aGermanSocketsFailureAndNoticesAreGerman() async throws {
        try await withTemporaryDirectoryAsync { folder in
            let f = try ChatFixture(folder: folder)
            defer { f.stop() }
            f.service.handle(.ask(thread: nil, content: "   "), from: Self.client(Self.german, connection: 7))
            let notice = try #require(f.broadcaster.envelopes(toConnection: 7).first)
            #expect(notice.html.contains("Bitte geben Sie zuerst eine Frage ein."))
            f.service.handle(.ask(thread: nil, content: faulty("status=401")), from: Self.client(Self.german))
            let answer = try await f.eventually {
                try f.store.threads(session: "s1").flatMap { try f.store.messages(thread: $0.id) }
                    .first { $0.role == "assistant" && $0.status == .error }
            }
            #expect(answer.error == "Der Sprachmodell-Dienst hat Quarrys Schlüssel nicht angenommen. "
                        + "Eine Administratorin oder ein Administrator muss den API-Schlüssel prüfen.")
            let stream = ChatStreams.thread(answer.threadID, session: "s1")
            try await f.until { f.broadcaster.envelopes(to: stream).contains { $0.html.contains("Erneut versuchen") } }
        }
    }

    /// In English, the model's failures read exactly as `LLMError.userMessage` says them (the terminal's words).
    @Test(arguments: [
        LLMError.notConfigured, .keyRejected(status: 401, message: "x"), .modelNotFound(model: "m", message: ""),
        .rateLimited(retryAfter: .seconds(1), message: ""), .rateLimited(retryAfter: .seconds(12), message: ""),
        .rateLimited(retryAfter: nil, message: ""), .upstream(status: 502, message: ""), .streamCut(characters: 0),
        .streamCut(characters: 40), .timedOut(.connect), .timedOut(.firstToken), .timedOut(.idle), .timedOut(.total),
        .cancelled, .unreachable(message: ""), .badResponse(message: ""), .ceilingReached(retryAfter: .milliseconds(2500)),
    ])
    func modelFailuresInEnglishAreTheUserMessages(error: LLMError) {
        #expect(Words.english.message(for: error) == error.userMessage)
        #expect(Words(Self.german).message(for: error) != error.userMessage)
    }
}
