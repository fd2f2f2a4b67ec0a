import Dispatch
import Locking
import Testing
@testable import Curl

/// A chunked response of 20 chunks, each sent only after the client has received the one before: a client that
/// buffered the body would stall the server, so getting all 20 proves delivery is incremental.
@Test func streamingGetDeliversEachChunkAsItArrives() throws {
    let chunks = (1...20).map { "data: chunk \($0) of 20\n\n" }
    let delivered = DispatchSemaphore(value: 0)
    let serverStalled = Locked(false)
    let request = Locked<ReceivedRequest?>(nil)
    let server = try LoopbackServer { connection in
        request.withLock { $0 = connection.readRequest() }
        connection.send(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Quarry-Test: streaming\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks {
            connection.sendChunk(chunk)
            guard waitPatiently(delivered) else { return serverStalled.withLock { $0 = true } }
        }
        connection.endChunks()
    }
    defer { server.stop() }

    // Each event in order: the response head, then each piece of body.
    let events = Locked<[String]>([])
    let transfer = try CurlTransfer(
        CurlRequest(url: server.url("/stream"), headers: [CurlHeader("Accept", "text/event-stream")]),
        onResponse: { head in events.withLock { $0.append("head \(head.status)") } },
        onBody: { bytes in
            events.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
            delivered.signal()
        }
    )
    let response = try transfer.perform()

    #expect(!serverStalled.current, "the client did not receive a chunk until later ones were sent")
    #expect(events.current == ["head 200"] + chunks)
    #expect(events.current.dropFirst().joined() == chunks.joined())
    #expect(response.status == 200)
    #expect(response[header: "x-quarry-test"] == "streaming")
    #expect(response[header: "Content-Type"] == "text/event-stream")
    #expect(request.current?.method == "GET")
    #expect(request.current?.target == "/stream")
    #expect(request.current?.header("accept") == "text/event-stream")
}

/// Who calls `cancel()` in the cancellation test.
enum Canceller: String, CaseIterable, Sendable {
    /// `onBody` itself, on receiving the third chunk: the write callback refuses the data at once.
    case onBody
    /// The server's thread, after the third chunk, while it sends nothing more: the progress callback notices.
    case anotherThread
}

/// Cancelling mid-stream stops the transfer while the server still holds the response open, and `perform()`
/// throws a cancellation (not a transport error). The server waits for `perform()` to return before it closes
/// the connection, so only the cancellation can have ended the transfer.
@Test(arguments: Canceller.allCases)
func cancelMidStreamAborts(by canceller: Canceller) throws {
    let chunks = (1...10).map { "chunk \($0)\n" }
    let delivered = DispatchSemaphore(value: 0)
    let performReturned = DispatchSemaphore(value: 0)
    let transferBox = Locked<CurlTransfer?>(nil)
    let server = try LoopbackServer { connection in
        _ = connection.readRequest()
        connection.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks.prefix(3) {
            connection.sendChunk(chunk)
            guard waitPatiently(delivered) else { return }
        }
        if canceller == .anotherThread { transferBox.current?.cancel() }
        _ = waitPatiently(performReturned)
        // Only now would the rest arrive, if the transfer were still running.
        for chunk in chunks.dropFirst(3) { connection.sendChunk(chunk) }
        connection.endChunks()
    }
    defer { server.stop() }

    let received = Locked<[String]>([])
    let transfer = try CurlTransfer(CurlRequest(url: server.url("/slow"))) { bytes in
        let count = received.withLock {
            $0.append(String(decoding: bytes, as: UTF8.self))
            return $0.count
        }
        if canceller == .onBody && count == 3 { transferBox.current?.cancel() }
        delivered.signal()
    }
    transferBox.withLock { $0 = transfer }

    let error = #expect(throws: CurlError.self) { try transfer.perform() }
    performReturned.signal()
    #expect(error?.isCancelled == true)
    #expect(error?.code == .writeError || error?.code == .abortedByCallback)
    #expect(error?.description == "The request was cancelled.")
    #expect(received.current == Array(chunks.prefix(3)))
    transferBox.withLock { $0 = nil }
}

@Test func cancelBeforePerformThrowsWithoutConnecting() throws {
    // Port 9 (discard) on loopback: nothing is listening, but the transfer must not even try.
    let transfer = try CurlTransfer(CurlRequest(url: "http://127.0.0.1:9/")) { _ in }
    transfer.cancel()
    let error = #expect(throws: CurlError.self) { try transfer.perform() }
    #expect(error?.isCancelled == true)
}
