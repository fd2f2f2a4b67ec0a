// The admin pages (`/admin…`): for admins only, made off the service thread like reading pages, framed by the server
// with a bar of their sections and who is signed in. Their forms post with the browser's form token. Who makes them
// (the executable, which has the store, the documents folder and the model) implements `AdminPages`.
public import Words

/// A request for an admin page, or an admin's posted form.
public struct AdminRequest: Sendable {
    /// The path, under `/admin`.
    public let path: String
    /// `GET`, `HEAD` or `POST`.
    public let method: String
    /// A posted form's fields (the token already checked); empty for a GET.
    public let form: [String: String]
    /// The admin asking.
    public let person: Person
    public let words: Words

    public init(path: String, method: String, form: [String: String] = [:], person: Person, words: Words = .english) {
        self.path = path
        self.method = method
        self.form = form
        self.person = person
        self.words = words
    }
}

/// What an admin address answers.
public enum AdminResponse: Sendable, Equatable {
    /// A page: `title` (plain text) and `body` (HTML, already escaped; its forms carry `{{form_token}}` where the
    /// token goes), framed by the server.
    case page(title: String, body: String)
    /// A page that follows `streams` (under `AdminAddress.streamPrefix`) over the socket: the frame names them,
    /// signed, as the chat page does, and the admin pages' script follows them.
    case livePage(title: String, body: String, streams: [String])
    /// Somewhere else on this server (after a form: the browser asks for it with a GET).
    case seeOther(String)
    /// A clear sentence, with its status.
    case failure(status: Int, message: String)
}

/// Makes the admin pages. Called on a thread of the server's own: it may block on the database or the model.
public protocol AdminPages: Sendable {
    /// The sections for the bar: each one's address and title, in `words`' language.
    func sections(_ words: Words) -> [(path: String, title: String)]
    /// The fields a form posted to `path` carries, beside the token; nil: `path` takes no form.
    func formFields(for path: String) -> [String]?
    func respond(to request: AdminRequest) -> AdminResponse
    /// The most bytes one upload (`AdminAddress.upload`, a multipart form of files) may carry; 0: no uploads.
    var uploadLimit: Int { get }
    /// Begins receiving a file named `fileName` that `person` uploads, or says why it cannot be taken. Called on
    /// the service thread: it must not block for long (it opens a file).
    func receiveFile(named fileName: String, by person: Person) -> Result<any ReceivedFile, FileRefusal>
}

/// An uploaded file as it arrives, on the service thread.
public protocol ReceivedFile: AnyObject {
    /// The name it will have.
    var name: String { get }
    /// Takes the next bytes; false when the file cannot take them (too large, a write failed): it is dropped.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Why `write` refused, for the admin.
    var writeRefusal: FileRefusal { get }
    /// Puts the whole file in place; its name there, or nil when it could not be.
    func finish() -> String?
    /// Drops it, leaving nothing behind.
    func discard()
}

/// Why an uploaded file was not taken.
public struct FileRefusal: Error, Sendable, Equatable {
    public let fileName: String
    public let reason: String

    public init(fileName: String, reason: String) {
        self.fileName = fileName
        self.reason = reason
    }
}

/// The admin pages' addresses, and where the marker for the form token goes.
public enum AdminAddress {
    public static let root = "/admin"
    /// The admin pages' streams begin with this; only admins' sockets may follow them.
    public static let streamPrefix = "admin/"
    /// Where files are uploaded (a multipart form: the token, then the files).
    public static let upload = "/admin/upload"
    /// The form fields an upload's page is told of: the names the files got, and the refusals (one a line).
    public static let uploadedField = "uploaded", refusedField = "refused"
    /// Where a page's forms put their token (the server fills it in for the browser asking).
    public static let formTokenMarker = "{{form_token}}"
    /// The token's hidden input, for a page's forms.
    public static var tokenInput: String { "<input type=\"hidden\" name=\"form_token\" value=\"\(formTokenMarker)\">" }

    /// Whether `path` is an admin address.
    public static func contains(_ path: String) -> Bool { path == root || path.hasPrefix(root + "/") }
}
