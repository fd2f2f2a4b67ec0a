import Contracts
import Locking
import Testing
@testable import Server
import TurboStream

@Suite(.serialized) struct SocketAdmissionTests {
    @Test(arguments: [
        ([("Origin", "http://evil.example")], false),
        ([("Origin", "null")], false),
        ([("Origin", "http://127.0.0.1:PORT")], true),
        ([("Origin", "HTTP://127.0.0.1:PORT/")], true),
        ([("Origin", "https://kiosk.example.org")], true),
        ([("Origin", "http://127.0.0.1:1")], false),
        ([], true),
    ])
    func originIsChecked(headers: [(String, String)], allowed: Bool) throws {
        let server = try TestServer { $0.allowedOrigins = ["https://kiosk.example.org"] }
        let headers = headers.map { ($0.0, $0.1.replacing("PORT", with: "\(server.port)")) }
        let client = try WebSocketClient(port: server.port, headers: headers)
        #expect(client.handshakeStatus == (allowed ? 101 : 403), "\(headers)")
    }

    @Test func otherPathsAreRefused() throws {
        let server = try TestServer()
        let client = try WebSocketClient(port: server.port, path: "/elsewhere")
        #expect(client.handshakeStatus == 404)
    }

    @Test func connectionCapRefusesTheNext() throws {
        let server = try TestServer { $0.maxConnections = 2 }
        let a = try server.subscriber(to: "x"), b = try server.subscriber(to: "x")
        let c = try WebSocketClient(port: server.port)
        #expect(c.handshakeStatus == 503)
        try a.close()
        _ = try a.waitForClose()
        try waitFor("a slot to free up") { try WebSocketClient(port: server.port).handshakeStatus == 101 }
        _ = b
    }

    @Test func sessionCookieReachesTheOperationHandler() throws {
        final class Recorder: SocketOperationHandler, @unchecked Sendable {
            let lock = Lock()
            var seen: [(SocketOperation, SocketClient)] = []
            func handle(_ operation: SocketOperation, from client: SocketClient) {
                lock.withLock { seen.append((operation, client)) }
            }
        }
        let recorder = Recorder()
        let server = try TestServer(operations: recorder)
        let page = try httpRequest(port: server.port, "/")
        let cookie = String(try #require(page.header("set-cookie")).split(separator: ";")[0])
        let client = try WebSocketClient(port: server.port, headers: [("Cookie", cookie)])
        try client.send(#"{"op":"ask","content":"What is a quarry?"}"#)
        try waitFor("the ask") { recorder.lock.withLock { !recorder.seen.isEmpty } }
        let (operation, from) = recorder.lock.withLock { recorder.seen[0] }
        #expect(operation == .ask(thread: nil, content: "What is a quarry?"))
        #expect(from.session != nil)
        #expect(page.text.contains(server.streamNames.signed("session/\(from.session!.rawValue)")))
    }
}
