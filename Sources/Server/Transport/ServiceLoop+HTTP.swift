// HTTP on the service thread: read the request, route it, write headers at once and the body when writeable.
internal import Contracts
internal import CWebSockets
internal import Logging

/// A response whose body is still being written.
struct HTTPExchange {
    var body: [UInt8]
    var sent = 0
    var closeAfter: Bool
}

extension ServiceLoop {
    /// HTTP body bytes written per writeable callback.
    static let httpChunk = 16 * 1024

    func httpRequest(_ wsi: WSI, _ user: UnsafeMutableRawPointer?, path: String) -> Int32 {
        var id = WSI.connectionID(in: user)
        if id == 0 {
            id = nextID()
            WSI.setConnectionID(id, in: user)
        }
        let method = wsi.has(WSI_TOKEN_GET_URI) ? "GET" : wsi.has(WSI_TOKEN_HEAD_URI) ? "HEAD"
            : wsi.has(WSI_TOKEN_POST_URI) ? "POST" : "OTHER"
        let cookie = wsi.header(WSI_TOKEN_HTTP_COOKIE)
        let request = HTTPRequest(
            method: method, path: path,
            acceptEncoding: wsi.header(WSI_TOKEN_HTTP_ACCEPT_ENCODING),
            ifNoneMatch: wsi.header(WSI_TOKEN_HTTP_IF_NONE_MATCH),
            cookie: cookie,
            host: wsi.header(WSI_TOKEN_HOST),
            acceptLanguage: wsi.header(WSI_TOKEN_HTTP_ACCEPT_LANGUAGE),
            fetchSite: wsi.customHeader("sec-fetch-site"),
            secure: isSecureRequest(wsi),
            peer: clientAddress(wsi),
            visitor: visitor(wsi, cookie: cookie))
        guard hosts.allows(host: request.host) else {
            warn("refused a request for another host name", ["peer": "\(wsi.peer)", "host": "\(request.host ?? "")"])
            return respondNow(wsi, id: id, .text(421, """
                This server does not answer to the name “\(request.host ?? "")”. If people reach it by that name, \
                start Quarry with --allowed-origin http://\(request.host ?? "")
                """, closeAfter: true))
        }
        if let response = metricsResponse(wsi, request) { return respondNow(wsi, id: id, response) }
        if method == "POST", path == AdminAddress.upload { return receiveUpload(wsi, id: id, request) }
        if method == "POST", let fields = router.formFields(path) { return receiveForm(wsi, id: id, request, fields: fields) }
        return route(wsi, id: id, request)
    }

    /// Routes a request whose headers (and form, if it posted one) have arrived.
    func route(_ wsi: WSI, id: ConnectionID, _ request: HTTPRequest) -> Int32 {
        let method = request.method, path = request.path
        switch router.route(request) {
        case .now(let response):
            logger.debug("http", metadata: ["method": "\(method)", "path": "\(path)", "status": "\(response.status)"])
            return respondNow(wsi, id: id, response)
        case .later(let make):
            logger.debug("http", metadata: ["method": "\(method)", "path": "\(path)", "status": "later"])
            return respondLater(wsi, id: id, path: path, make)
        }
    }

    /// Writes `response`'s headers now and its body when writeable.
    func respondNow(_ wsi: WSI, id: ConnectionID, _ response: HTTPResponse) -> Int32 {
        guard wsi.writeHeaders(response, extra: SecurityHeaders.all) else { return -1 }
        if response.body.isEmpty {
            if response.closeAfter { return -1 }
            return keepAlive(wsi)
        }
        exchanges[id] = HTTPExchange(body: response.body, closeAfter: response.closeAfter)
        wsi.requestWriteable()
        return 0
    }

    /// Ends the transaction; a connection kept open waits for the next request's headers and counts as such
    /// (counted first: lws may read a pipelined request before it returns).
    private func keepAlive(_ wsi: WSI) -> Int32 {
        awaitingNextRequest(wsi)
        return wsi.completeTransaction() ? 0 : -1
    }

    func httpWriteable(_ wsi: WSI, _ user: UnsafeMutableRawPointer?) -> Int32 {
        let id = WSI.connectionID(in: user)
        // A reading page made elsewhere (ServiceLoop+Documents.swift): its headers go now.
        if exchanges[id] == nil, let response = takeReadyDocumentResponse(id) { return respondNow(wsi, id: id, response) }
        guard var exchange = exchanges[id] else { return 0 }
        let count = min(Self.httpChunk, exchange.body.count - exchange.sent)
        let buffer = scratch(for: count)
        exchange.body.withUnsafeBufferPointer { body in
            (buffer + LWS.pre).update(from: body.baseAddress! + exchange.sent, count: count)
        }
        exchange.sent += count
        let final = exchange.sent == exchange.body.count
        guard wsi.writeHTTP(buffer, count: count, final: final) else { return -1 }
        if !final {
            exchanges[id] = exchange
            wsi.requestWriteable()
            return 0
        }
        exchanges[id] = nil
        if exchange.closeAfter { return -1 }
        return keepAlive(wsi)
    }
}
