// A file the server carries in its binary, with everything a response needs computed once: its content hash,
// its gzip form, and an ETag for each representation.
internal import Crypto
internal import Gzip
internal import TextLines

/// One asset, ready to serve.
struct StaticAsset: Sendable {
    /// The `Content-Type`.
    let contentType: String
    /// The bytes as written.
    let identity: [UInt8]
    /// The bytes gzip-compressed, or nil when compression would not make them smaller.
    let gzipped: [UInt8]?
    /// The first 16 hex digits of the SHA-256 of `identity`.
    let hash: String

    /// An asset whose hash and gzip form are computed now (for pages rendered per request).
    init(contentType: String, bytes: [UInt8]) {
        let compressed = try? Gzip.compress(bytes)
        self.init(contentType: contentType, identity: bytes, gzipped: compressed,
                  hash: String(ByteEncoding.hex(SHA256.hash(bytes)).prefix(16)))
    }

    /// An asset prepared ahead of time; the gzip form is kept only when it is smaller.
    init(contentType: String, identity: [UInt8], gzipped: [UInt8]?, hash: String) {
        self.contentType = contentType
        self.identity = identity
        self.gzipped = gzipped.flatMap { $0.count < identity.count ? $0 : nil }
        self.hash = hash
    }

    /// The response to `request`: gzip when accepted, 304 when the client's copy is current.
    func response(to request: HTTPRequest, cacheControl: String, extraHeaders: [(name: String, value: String)] = [])
        -> HTTPResponse
    {
        let useGzip = gzipped != nil && ContentNegotiation.acceptsGzip(request.acceptEncoding)
        // A strong ETag names one representation, so the gzip form has its own.
        let etag = useGzip ? "\"\(hash)-gz\"" : "\"\(hash)\""
        var headers: [(name: String, value: String)] = [
            ("etag", etag), ("cache-control", cacheControl), ("vary", "Accept-Encoding"),
        ] + extraHeaders
        if useGzip { headers.append(("content-encoding", "gzip")) }
        let body = useGzip ? gzipped! : identity
        if ContentNegotiation.matches(ifNoneMatch: request.ifNoneMatch, etag: etag) {
            // No body, but the length announced is the selected representation's, as RFC 9110 allows for 304.
            var response = HTTPResponse(status: 304, contentType: contentType, headers: headers, body: [])
            response.contentLength = body.count
            return response
        }
        return HTTPResponse(status: 200, contentType: contentType, headers: headers, body: body)
    }
}

/// The parts of HTTP content negotiation and conditional requests that the server uses.
enum ContentNegotiation {
    /// Whether an `Accept-Encoding` value accepts gzip (`gzip` or `*` with a non-zero q).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var wildcard: Bool?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingBlanks.lowercased() }
            guard let coding = parts.first else { continue }
            let q = parts.dropFirst().first(where: { $0.hasPrefix("q=") }).flatMap { Double(String($0.dropFirst(2))) } ?? 1
            if coding == "gzip" || coding == "x-gzip" { return q > 0 }
            if coding == "*" { wildcard = q > 0 }
        }
        return wildcard ?? false
    }

    /// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for this header).
    static func matches(ifNoneMatch header: String?, etag: String) -> Bool {
        guard let header else { return false }
        let bare = { (tag: Substring) -> Substring in tag.hasPrefix("W/") ? tag.dropFirst(2) : tag }
        for candidate in header.split(separator: ",") {
            let tag = Substring(candidate.trimmingBlanks)
            if tag == "*" || bare(tag) == bare(Substring(etag)) { return true }
        }
        return false
    }
}
