// A real server on an ephemeral loopback port, with a known secret, for tests.
import Contracts
import Logging
#if canImport(Glibc)
import Glibc
#endif
@testable import Server
import Telemetry
import TurboStream

/// Snapshots that tell a subscriber it is in: one envelope naming the stream.
struct AnnouncingSnapshots: StreamSnapshots {
    func snapshot(of stream: String) -> [StreamEnvelope] {
        [.update(target: "subscribed", html: HTML.escape(stream))]
    }
}

final class TestServer {
    static let secret = Array("test-secret-of-at-least-32-bytes-long!!".utf8)
    let server: Server
    let streamNames = StreamNames(secret: TestServer.secret)
    var port: Int { server.port }
    var hub: Hub { server.hub }

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in },
         operations: (any SocketOperationHandler)? = nil,
         snapshots: (any StreamSnapshots)? = AnnouncingSnapshots(),
         documents: (any DocumentPages)? = nil,
         endSession: @escaping @Sendable (SessionID) -> Void = { _ in },
         metrics: MetricsRegistry? = nil,
         adminPages: (any AdminPages)? = nil,
         signIns: (any SignIns)? = nil) throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = getenv("QUARRY_TEST_DEBUG") != nil ? .debug : .critical
        server = Server(configuration: configuration, secret: Self.secret, hub: Hub(snapshots: snapshots),
                        operations: operations, documents: documents, endSession: endSession, metrics: metrics,
                        signIns: signIns, adminPages: adminPages, logger: logger)
        try server.start()
    }

    deinit { server.stop() }

    /// A socket that has subscribed to `stream` and seen the snapshot that proves it.
    func subscriber(to stream: String, headers: [(String, String)] = [], receiveBuffer: Int32? = nil,
                    source: String? = nil) throws -> WebSocketClient
    {
        let client = try WebSocketClient(port: port, headers: headers, receiveBuffer: receiveBuffer, source: source)
        guard client.handshakeStatus == 101 else { throw UnexpectedStatus(status: client.handshakeStatus) }
        try client.send(#"{"op":"subscribe","stream":"\#(streamNames.signed(stream))"}"#)
        let snapshot = try client.nextText()
        guard snapshot.contains("target=\"subscribed\"") else { throw UnexpectedEvent(event: .text(snapshot)) }
        return client
    }
}

struct UnexpectedStatus: Error { let status: Int }
