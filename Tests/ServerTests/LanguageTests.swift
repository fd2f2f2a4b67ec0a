// The page's language over the real server: the shell by Accept-Language (or the fixed language), and a socket's
// language from its upgrade request, reaching its notices, its snapshots and the chat's ops.
import Contracts
import Locking
import Testing
@testable import Server
import TurboStream
import Words

/// Snapshots that say which language they were asked in.
struct LanguageSnapshots: StreamSnapshots {
    func snapshot(of stream: String) -> [StreamEnvelope] { [] }
    func snapshot(of stream: String, _ request: SnapshotRequest, words: Words) -> [StreamEnvelope] {
        [.update(target: "subscribed", html: words.language.code)]
    }
}

/// Keeps the clients of the ops it is handed.
final class RecordingOperations: SocketOperationHandler, Sendable {
    let clients = Locked<[SocketClient]>([])
    func handle(_ operation: SocketOperation, from client: SocketClient) { clients.withLock { $0.append(client) } }
}

@Suite(.serialized) struct LanguageTests {
    @Test(arguments: [
        (nil, "en", ">New conversation<"),
        ("de-CH, en;q=0.5", "de", ">Neue Unterhaltung<"),
        ("it, es;q=0.4", "es", ">Nueva conversación<"),
        ("fr-FR,fr;q=0.9", "fr", ">Nouvelle conversation<"),
    ] as [(String?, String, String)])
    func theShellIsInTheBrowsersLanguage(header: String?, code: String, word: String) throws {
        let server = try TestServer()
        let response = try httpRequest(port: server.port, "/", headers: header.map { [("Accept-Language", $0)] } ?? [])
        #expect(response.status == 200)
        #expect(response.text.contains("<html lang=\"\(code)\">") && response.text.contains(word))
        #expect(response.header("content-language") == code)
        #expect(response.headers("vary").contains("Accept-Language"))
    }

    @Test func aFixedLanguageIsEveryones() throws {
        let server = try TestServer { $0.language = Language("fr") }
        let response = try httpRequest(port: server.port, "/", headers: [("Accept-Language", "de")])
        #expect(response.text.contains("<html lang=\"fr\">") && response.header("content-language") == "fr")
        #expect(!response.headers("vary").contains("Accept-Language"))
    }

    @Test func aSocketSpeaksThePagesLanguage() throws {
        let operations = RecordingOperations()
        let server = try TestServer(operations: operations, snapshots: LanguageSnapshots())
        let german = try WebSocketClient(port: server.port, headers: [("Accept-Language", "de-DE,de;q=0.9,en;q=0.8")])
        // Its snapshots are made in its language.
        try german.send(#"{"op":"subscribe","stream":"\#(server.streamNames.signed("room"))"}"#)
        let snapshot = try german.nextText()
        #expect(snapshot.contains("<template>de</template>"), "\(snapshot)")
        // Its notices are in it.
        try german.send(#"{"op":"subscribe","stream":"forged--0000"}"#)
        #expect(try german.nextText().contains("Diese Seite ist veraltet. Bitte laden Sie sie neu."))
        // The chat's ops come with it.
        try german.send(#"{"op":"ask","content":"Wie?"}"#)
        try waitFor("the ask handed over") { !operations.clients.current.isEmpty }
        #expect(operations.clients.current.first?.language == Language("de"))
        // A socket without Accept-Language is English.
        let other = try WebSocketClient(port: server.port)
        try other.send(#"{"op":"subscribe","stream":"forged--0000"}"#)
        #expect(try other.nextText().contains("This page is out of date. Please reload it."))
    }
}
