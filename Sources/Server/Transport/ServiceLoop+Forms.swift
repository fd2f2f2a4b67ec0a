// Posted forms on the service thread: the body read with lws' parser as it arrives, within a size limit, then the
// request routed with its fields. And who a request comes from (Access.swift), read from the connection.
internal import Contracts
internal import CWebSockets

/// A form being received.
struct FormIntake {
    var request: HTTPRequest
    let parser: FormParser
    let expected: Int
    var received = 0
    /// An upload's files, when the form carries them.
    var files: UploadIntake? = nil
}

extension ServiceLoop {
    /// Who sent the request on `wsi`.
    func visitor(_ wsi: WSI, cookie: String?) -> Visitor {
        router.access.visitor(VisitorEvidence(cookie: cookie, directPeer: wsi.peer) {
            wsi.customHeader($0.lowercased(), limit: 1024)
        })
    }

    /// Starts reading a form posted to `request.path`: it must say how long it is, be short, and be a form.
    func receiveForm(_ wsi: WSI, id: ConnectionID, _ request: HTTPRequest, fields: [String]) -> Int32 {
        guard let length = wsi.contentLength else {
            return respondNow(wsi, id: id, .text(411, "A form must say its length.", closeAfter: true))
        }
        guard length <= SignInPage.maxFormBytes else {
            return respondNow(wsi, id: id, .text(413, "That form is too large.", closeAfter: true))
        }
        let type = wsi.contentType
        guard type.hasPrefix("application/x-www-form-urlencoded") || type.hasPrefix("multipart/form-data"),
              let parser = FormParser(wsi, fields: fields, maxBytes: SignInPage.maxFormBytes)
        else { return respondNow(wsi, id: id, .text(415, "This address takes a form.", closeAfter: true)) }
        guard length > 0 else {
            var request = request
            request.form = parser.finish()
            return route(wsi, id: id, request)
        }
        forms[id] = FormIntake(request: request, parser: parser, expected: length)
        return 0
    }

    /// Starts reading an upload of files to the admin pages: only an admin's, of a size the pages take, as a
    /// multipart form. Its token is checked once it has all arrived, before any file is put in place.
    func receiveUpload(_ wsi: WSI, id: ConnectionID, _ request: HTTPRequest) -> Int32 {
        let (uploader, pages): (Person, any AdminPages)
        switch router.uploadGate(request) {
        case .success(let gate): (uploader, pages) = gate
        case .failure(let refusal): return respondNow(wsi, id: id, refusal.closing)
        }
        guard let length = wsi.contentLength, length > 0 else {
            return respondNow(wsi, id: id, .text(411, "An upload must say its length.", closeAfter: true))
        }
        guard length <= pages.uploadLimit else {
            return respondNow(wsi, id: id, .text(413, "That upload is larger than \(pages.uploadLimit >> 20) MB.", closeAfter: true))
        }
        let files = UploadIntake(person: uploader, pages: pages)
        guard wsi.contentType.hasPrefix("multipart/form-data"),
              let parser = FormParser(wsi, fields: [FormTokens.field], maxBytes: SignInPage.maxFormBytes, files: files)
        else { return respondNow(wsi, id: id, .text(415, "Files are uploaded as a multipart form.", closeAfter: true)) }
        forms[id] = FormIntake(request: request, parser: parser, expected: length, files: files)
        return 0
    }

    /// A piece of a form's body.
    func formBody(_ wsi: WSI, _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        let id = WSI.connectionID(in: user)
        // A body nobody reads (a refused POST): dropped while the refusal goes out.
        guard var intake = forms[id] else { return 0 }
        intake.received += length
        guard intake.received <= intake.expected, let input, intake.parser.feed(input, count: length) else {
            forms[id] = nil
            return respondNow(wsi, id: id, .text(400, "That form could not be read.", closeAfter: true))
        }
        forms[id] = intake
        return 0
    }

    /// A form's body has all arrived: the request is routed with its fields.
    func formComplete(_ wsi: WSI, _ user: UnsafeMutableRawPointer?) -> Int32 {
        let id = WSI.connectionID(in: user)
        guard let intake = forms.removeValue(forKey: id) else { return 0 }
        var request = intake.request
        request.form = intake.parser.finish()
        if let files = intake.files {
            switch router.uploaded(request, files: files) {
            case .now(let response): return respondNow(wsi, id: id, response)
            case .later(let make): return respondLater(wsi, id: id, path: request.path, make)
            }
        }
        return route(wsi, id: id, request)
    }
}
