// Reading pages on the service thread: a request for one is handed to threads of their own (the page reads the
// database and renders Markdown), and its response is written when it is ready. Meanwhile the connection waits
// and the service thread serves everyone else. One address may have 2 waiting, the server 16; past that the
// request is answered at once with 503 and a sentence.
internal import Contracts
internal import Locking
internal import Logging

/// Reading requests handed over and not yet answered. Service thread only, apart from `finished`.
final class DocumentRequests {
    /// A request being made elsewhere.
    struct Waiting {
        let wsi: WSI
        let peer: String
    }

    static let perPeer = 2
    static let total = 16

    /// The threads that make the pages, in the order asked: two, so one slow page (a large original file) does
    /// not hold up every other reader's.
    let workers = SnapshotWorkers(threads: 2)
    var waiting: [ConnectionID: Waiting] = [:]
    var byPeer = PeerTally()
    /// Responses made and not yet collected by the service thread; any thread.
    let finished = Locked<[(ConnectionID, HTTPResponse)]>([])
    /// Responses collected, each written at its connection's next writeable moment.
    var ready: [ConnectionID: HTTPResponse] = [:]
}

extension ServiceLoop {
    /// Hands `make` to the reading thread for connection `id`; its response goes out when made. Returns the
    /// callback's result: 0 (the connection waits) or what an immediate refusal returned. The threads also make
    /// sign-ins and admin pages (`path` says which, for the refusal's sentence).
    func respondLater(_ wsi: WSI, id: ConnectionID, path: String, _ make: @escaping @Sendable () -> HTTPResponse) -> Int32 {
        let peer = clientAddress(wsi)
        guard documents.byPeer[peer] < DocumentRequests.perPeer, documents.waiting.count < DocumentRequests.total else {
            let reading = DocumentRoute(path: path) != nil
            warn(reading ? "refused a reading page: too many waiting" : "refused a sign-in or admin page: too many waiting",
                 ["peer": "\(peer)"])
            return respondNow(wsi, id: id, .text(503, reading ? "The server is busy opening documents. Please try again in a moment."
                                                 : "The server is busy. Please try again in a moment.",
                                                 headers: [("retry-after", "2")]))
        }
        documents.waiting[id] = DocumentRequests.Waiting(wsi: wsi, peer: peer)
        documents.byPeer.add(for: peer)
        let finished = documents.finished, hub = self.hub
        documents.workers.run {
            let response = make()
            finished.withLock { $0.append((id, response)) }
            hub.wakeServiceThread()
        }
        return 0
    }

    /// Collects the responses made since the last look and asks to write each (its connection may have gone).
    func collectDocumentResponses() {
        let made = documents.finished.withLock { finished in
            defer { finished.removeAll() }
            return finished
        }
        for (id, response) in made {
            guard let waiting = forgetDocumentRequest(id) else { continue }
            documents.ready[id] = response
            waiting.wsi.requestWriteable()
        }
    }

    /// The response made for connection `id`, if one waits to be written; taken.
    func takeReadyDocumentResponse(_ id: ConnectionID) -> HTTPResponse? {
        documents.ready.removeValue(forKey: id)
    }

    /// Drops what connection `id` waited for (it closed, or its response is collected).
    @discardableResult
    func forgetDocumentRequest(_ id: ConnectionID) -> DocumentRequests.Waiting? {
        documents.ready[id] = nil
        guard let waiting = documents.waiting.removeValue(forKey: id) else { return nil }
        documents.byPeer.remove(for: waiting.peer)
        return waiting
    }
}
