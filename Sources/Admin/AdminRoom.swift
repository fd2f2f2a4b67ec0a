// The admin pages: the documents (what was read, what could not be and why; read again, delete), the questions the
// documents could not answer, the model in use with a test, and the built-in accounts. Plain HTML with forms, so
// they work without the page's script; every change is logged with the admin who made it.
public import Contracts
public import Store
public import Words
public import Logging
import Retrieval
import TurboStream

/// Makes the admin pages from the store, the documents folder and the model's settings.
public struct AdminRoom: AdminPages {
    /// One line of the model check: whether it passed, and what it found.
    public typealias ModelFinding = (passed: Bool, text: String)

    let store: any AdminStorage
    /// The documents folder (`--docs`), if there is one.
    let folder: String?
    /// Whether the built-in accounts are managed here (not in proxy mode, where the proxy knows the people).
    let managesAccounts: Bool
    /// The model's settings as the page shows them (label, value), secrets left out.
    let modelSettings: [(label: String, value: String)]
    /// Runs the doctor's model checks; blocks until they end.
    let testModel: @Sendable () -> [ModelFinding]
    let logger: Logger

    public init(store: any AdminStorage, folder: String?, managesAccounts: Bool, modelSettings: [(label: String, value: String)],
                testModel: @escaping @Sendable () -> [ModelFinding], logger: Logger) {
        self.store = store
        self.folder = folder
        self.managesAccounts = managesAccounts
        self.modelSettings = modelSettings
        self.testModel = testModel
        self.logger = logger
    }

    enum Path {
        static let documents = AdminAddress.root
        static let upload = AdminAddress.upload
        static let readAgain = "/admin/documents/read-again"
        static let delete = "/admin/documents/delete"
        static let questions = "/admin/questions"
        static let model = "/admin/model"
        static let testModel = "/admin/model/test"
        static let users = "/admin/users"
        static let addUser = "/admin/users/add"
        static let removeUser = "/admin/users/remove"
        static let setPassword = "/admin/users/password"
    }

    public func sections(_ words: Words) -> [(path: String, title: String)] {
        var sections = [(Path.documents, words[.adminDocuments]), (Path.questions, words[.adminQuestions]),
                        (Path.model, words[.adminModel])]
        if managesAccounts { sections.append((Path.users, words[.adminUsers])) }
        return sections.map { (path: $0.0, title: $0.1) }
    }

    public func formFields(for path: String) -> [String]? {
        switch path {
        case Path.readAgain, Path.delete: ["path"]
        case Path.testModel: []
        case Path.addUser where managesAccounts: ["name", "password", "admin"]
        case Path.removeUser where managesAccounts: ["name"]
        case Path.setPassword where managesAccounts: ["name", "password"]
        default: nil
        }
    }

    public func respond(to request: AdminRequest) -> AdminResponse {
        do throws(StoreError) {
            switch (request.method, request.path) {
            case ("POST", Path.readAgain), ("POST", Path.delete):
                return try changeDocument(request)
            case ("POST", Path.upload):
                return try uploaded(request)
            case ("POST", Path.testModel):
                return modelPage(request, findings: testModel())
            case ("POST", Path.addUser), ("POST", Path.removeUser), ("POST", Path.setPassword):
                return try changeAccount(request)
            case (_, Path.documents):
                return try documentsPage(request)
            case (_, Path.questions):
                return try questionsPage(request)
            case (_, Path.model):
                return modelPage(request, findings: nil)
            case (_, Path.users) where managesAccounts:
                return try usersPage(request)
            default:
                return .failure(status: 404, message: "Not found")
            }
        } catch {
            logger.error("an admin page could not be made", metadata: ["cause": "\(error.logDescription)"])
            return .failure(status: 503, message: request.words[.readingUnavailable])
        }
    }

    /// The most bytes one upload may carry (several files): 256 MB, with a documents folder to put them in.
    public var uploadLimit: Int { folder == nil ? 0 : 256 << 20 }

    /// An uploaded file, into the documents folder, within ingestion's limits (20 MB of text, 200 MB for PDFs and
    /// packed formats).
    public func receiveFile(named fileName: String, by person: Person) -> Result<any ReceivedFile, FileRefusal> {
        guard let folder, let root = OriginalFile.resolvedFolder(folder) else {
            return .failure(FileRefusal(fileName: fileName, reason: "this Quarry has no documents folder (--docs)"))
        }
        do {
            return .success(ReceivedUpload(try UploadFile(fileName: fileName, folder: root, textLimit: 20 << 20,
                                                          packedLimit: 200 << 20)))
        } catch {
            return .failure(FileRefusal(fileName: error.fileName, reason: error.reason))
        }
    }

    /// Logs what an admin changed.
    func log(_ action: String, by person: Person, _ metadata: Logger.Metadata = [:]) {
        var metadata = metadata
        metadata["admin"] = "\(person.name)"
        logger.notice("admin: \(action)", metadata: metadata)
    }

    /// A page's notice after a change (the sentence is part of the page the form's answer shows); `refused` marks
    /// one that says something was not done.
    static func notice(_ text: String?, refused: Bool = false) -> String {
        text.map { "<p class=\"admin-notice\(refused ? " refused" : "")\" role=\"status\">\(HTML.escape($0))</p>" } ?? ""
    }

    /// A one-button form posting `fields` to `path`.
    static func button(_ label: String, to path: String, _ fields: [(String, String)] = [], danger: Bool = false) -> String {
        let hidden = fields.map { "<input type=\"hidden\" name=\"\(HTML.escape($0.0))\" value=\"\(HTML.escape($0.1))\">" }.joined()
        return """
            <form method="post" action="\(path)" class="inline">\(AdminAddress.tokenInput)\(hidden)\
            <button type="submit"\(danger ? " class=\"danger\"" : "")>\(HTML.escape(label))</button></form>
            """
    }

    /// A time in seconds since 1970 as people read it (`2026-12-04 17:05 UTC`); a dash for none.
    static func date(_ seconds: Int64) -> String { seconds > 0 ? utcMinute(seconds) : "–" }

    /// A size as people read it: `980 B`, `12.3 KB`, `4.5 MB`.
    static func size(_ bytes: Int64) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000, unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

/// An upload into the documents folder, as the server receives it.
final class ReceivedUpload: ReceivedFile {
    let file: UploadFile

    init(_ file: UploadFile) { self.file = file }

    var name: String { file.name }
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool { file.write(bytes) }
    var writeRefusal: FileRefusal { FileRefusal(fileName: file.name, reason: file.tooLarge.reason) }
    func finish() -> String? { file.finish() }
    func discard() { file.discard() }
}
