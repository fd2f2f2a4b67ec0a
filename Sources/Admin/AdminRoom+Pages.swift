// Each admin page, and what its forms change.
import Contracts
import Logging
import Retrieval
import Store
import TurboStream
import Words

extension AdminRoom {
    // MARK: Documents

    func documentsPage(_ request: AdminRequest, notice: String? = nil, refusals: [String] = []) throws(StoreError)
        -> AdminResponse
    {
        let words = request.words
        var body = Self.notice(notice) + refusals.map { Self.notice($0, refused: true) }.joined()
        if folder.flatMap(OriginalFile.resolvedFolder) != nil {
            // The token first: the server reads it before it puts any file in place.
            body += """
                <form method="post" action="\(Path.upload)" enctype="multipart/form-data" class="admin-form upload" \
                data-cancel="\(HTML.escape(words[.adminCancel]))" data-failed="\(HTML.escape(words[.adminUploadFailed]))" \
                data-cancelled="\(HTML.escape(words[.adminUploadCancelled]))">\
                \(AdminAddress.tokenInput)<label>\(HTML.escape(words[.adminUploadIntro])) \
                <input type="file" name="files" multiple required \
                accept=".pdf,.docx,.odt,.epub,.html,.htm,.xhtml,.md,.markdown,.rst,.txt"></label>\
                <button type="submit">\(HTML.escape(words[.adminUpload]))</button></form>
                """
        }
        body += try documentsTable(words)
        return .livePage(title: words[.adminDocuments], body: body, streams: [Self.documentsStream(words.language)])
    }

    /// The documents page's stream in `language`: the table, sent again as the folder's reading changes it.
    static func documentsStream(_ language: Language) -> String { AdminAddress.streamPrefix + "documents/" + language.code }

    /// The id of the element that holds the documents table (what the stream replaces).
    static let documentsTableID = "documents-table"

    /// The count of documents, the folder, and the table of documents with their actions (whose forms carry the
    /// token marker: the frame fills it in for a page, the admin pages' script for the socket's copies).
    func documentsTable(_ words: Words) throws(StoreError) -> String {
        let documents = try store.documentOverview()
        let failed = documents.filter { $0.failure != nil }.count
        let passages = documents.reduce(0) { $0 + $1.passages }
        let root = folder.flatMap(OriginalFile.resolvedFolder)
        var body = "<div id=\"\(Self.documentsTableID)\">"
        body += "<p>" + HTML.escape(words(.adminDocumentsSummary, ("documents", "\(documents.count)"),
                                          ("passages", "\(passages)"), ("failed", "\(failed)"))) + "</p>"
        body += "<p class=\"muted\">" + HTML.escape(folder.map { words(.adminFolder, ("folder", $0)) } ?? words[.adminNoFolder]) + "</p>"
        guard !documents.isEmpty else { return body + "</div>" }
        body += "<table class=\"admin-table\"><thead><tr>" + [
            words[.adminColumnDocument], words[.adminColumnSize], words[.adminColumnPages], words[.adminColumnPassages],
            words[.adminColumnRead], words[.adminColumnStatus], "",
        ].map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for document in documents {
            let name = root.map { document.path.hasPrefix($0 + "/") ? String(document.path.dropFirst($0.count + 1)) : document.path }
                ?? document.path
            let status = document.failure.map { "<span class=\"failed\">\(HTML.escape(words(.adminStatusFailed, ("reason", $0))))</span>" }
                ?? HTML.escape(words[.adminStatusRead])
            let title = document.failure == nil
                ? "<a href=\"\(DocumentRoute.partAddress(document: document.id, from: 0))\">\(HTML.escape(document.title))</a>"
                : HTML.escape(document.title)
            var actions = Self.button(words[.adminReadAgain], to: Path.readAgain, [("path", document.path)])
            if root != nil, Self.inFolder(document.path, root) {
                actions += Self.button(words[.adminDelete], to: Path.delete, [("path", document.path)], danger: true)
            }
            body += """
                <tr><td>\(title)<br><span class="muted">\(HTML.escape(name))</span></td>\
                <td>\(Self.size(document.size))</td><td>\(document.pages.map(String.init) ?? "–")</td>\
                <td>\(document.passages)</td><td>\(Self.date(document.ingestedAt))</td><td>\(status)</td>\
                <td class="actions">\(actions)</td></tr>
                """
        }
        return body + "</tbody></table></div>"
    }

    static func inFolder(_ path: String, _ root: String?) -> Bool {
        guard let root else { return false }
        return path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    func changeDocument(_ request: AdminRequest) throws(StoreError) -> AdminResponse {
        let words = request.words
        let path = request.form["path"] ?? ""
        guard let document = try store.documentOverview().first(where: { $0.path == path }) else {
            return try documentsPage(request, notice: words[.adminNoSuchDocument])
        }
        if request.path == Path.readAgain {
            try store.readAgain(path: path)
            log("read a document again", by: request.person, ["path": "\(path)"])
            return try documentsPage(request, notice: words(.adminReadAgainDone, ("title", document.title)))
        }
        guard let folder, let root = OriginalFile.resolvedFolder(folder), Self.inFolder(path, root),
              let original = OriginalFile.locate(path, in: folder), original.delete()
        else { return try documentsPage(request, notice: words(.adminDeleteFailed, ("title", document.title))) }
        try store.removeDocument(path: path)
        log("deleted a document", by: request.person, ["path": "\(path)"])
        return try documentsPage(request, notice: words(.adminDeleted, ("title", document.title)))
    }

    func uploaded(_ request: AdminRequest) throws(StoreError) -> AdminResponse {
        let words = request.words
        let names = (request.form[AdminAddress.uploadedField] ?? "").split(separator: "\n").map(String.init)
        let refused = (request.form[AdminAddress.refusedField] ?? "").split(separator: "\n").map(String.init)
        if !names.isEmpty { log("uploaded documents", by: request.person, ["files": "\(names.joined(separator: ", "))"]) }
        return try documentsPage(request, notice: names.isEmpty ? nil : words(.adminUploaded, ("names", names.joined(separator: ", "))),
                                 refusals: refused.map { words(.adminUploadRefused, ("reason", $0)) })
    }

    // MARK: Unanswered questions

    func questionsPage(_ request: AdminRequest) throws(StoreError) -> AdminResponse {
        let words = request.words
        let questions = try store.unansweredQuestions()
        var body = "<p>\(HTML.escape(words[.adminQuestionsIntro]))</p>"
        guard !questions.isEmpty else {
            return .page(title: words[.adminQuestions], body: body + "<p class=\"muted\">\(HTML.escape(words[.adminQuestionsNone]))</p>")
        }
        body += "<table class=\"admin-table\"><thead><tr>" + [
            words[.adminColumnQuestion], words[.adminColumnAsked], words[.adminColumnLastAsked], words[.adminColumnWhy],
        ].map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for question in questions {
            let why = question.noPassage == question.asked ? words[.adminWhyNoPassage]
                : question.noPassage == 0 ? words[.adminWhyNotCited]
                : words[.adminWhyNoPassage] + "; " + words[.adminWhyNotCited]
            body += """
                <tr><td>\(HTML.escape(question.question))</td><td>\(question.asked)</td>\
                <td>\(Self.date(question.lastAsked))</td><td>\(HTML.escape(why))</td></tr>
                """
        }
        return .page(title: words[.adminQuestions], body: body + "</tbody></table>")
    }

    // MARK: The model

    func modelPage(_ request: AdminRequest, findings: [ModelFinding]?) -> AdminResponse {
        let words = request.words
        var body = "<p>\(HTML.escape(words[.adminModelIntro]))</p><dl class=\"admin-settings\">"
        for setting in modelSettings {
            body += "<dt>\(HTML.escape(setting.label))</dt><dd>\(HTML.escape(setting.value))</dd>"
        }
        body += "</dl>" + Self.button(words[.adminTestModel], to: Path.testModel)
        if let findings {
            log("tested the model", by: request.person, ["passed": "\(findings.allSatisfy(\.passed))"])
            body += "<ul class=\"admin-findings\">" + findings.map { finding in
                "<li class=\"\(finding.passed ? "passed" : "failed")\">\(HTML.escape(finding.text))</li>"
            }.joined() + "</ul>"
        }
        return .page(title: words[.adminModel], body: body)
    }

    // MARK: Accounts

    func usersPage(_ request: AdminRequest, notice: String? = nil) throws(StoreError) -> AdminResponse {
        let words = request.words
        let accounts = try Accounts(store: store).list()
        var body = Self.notice(notice) + "<p>\(HTML.escape(words[.adminUsersIntro]))</p>"
        body += "<table class=\"admin-table\"><thead><tr>" + [
            words[.adminColumnName], words[.adminColumnAdmin], words[.adminColumnAdded], "",
        ].map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for account in accounts {
            let remove = account.name.lowercased() == request.person.name.lowercased() ? ""
                : Self.button(words[.adminRemove], to: Path.removeUser, [("name", account.name)], danger: true)
            body += """
                <tr><td>\(HTML.escape(account.name))</td><td>\(HTML.escape(account.isAdmin ? words[.adminYes] : words[.adminNo]))</td>\
                <td>\(Self.date(account.createdAt))</td><td class="actions">\(remove)\
                <form method="post" action="\(Path.setPassword)" class="inline">\(AdminAddress.tokenInput)\
                <input type="hidden" name="name" value="\(HTML.escape(account.name))">\
                <input type="password" name="password" autocomplete="new-password" required aria-label="\(HTML.escape(words[.signInPassword]))">\
                <button type="submit">\(HTML.escape(words[.adminSetPassword]))</button></form></td></tr>
                """
        }
        body += """
            </tbody></table><h2>\(HTML.escape(words[.adminAddUser]))</h2>\
            <form method="post" action="\(Path.addUser)" class="admin-form">\(AdminAddress.tokenInput)\
            <label>\(HTML.escape(words[.signInName])) <input name="name" required maxlength="64" autocomplete="off"></label>\
            <label>\(HTML.escape(words[.signInPassword])) <input type="password" name="password" required autocomplete="new-password"></label>\
            <label><input type="checkbox" name="admin" value="yes"> \(HTML.escape(words[.adminColumnAdmin]))</label>\
            <button type="submit">\(HTML.escape(words[.adminAddUser]))</button></form>
            """
        return .page(title: words[.adminUsers], body: body)
    }

    func changeAccount(_ request: AdminRequest) throws(StoreError) -> AdminResponse {
        let words = request.words, accounts = Accounts(store: store)
        let name = request.form["name"] ?? "", password = Array((request.form["password"] ?? "").utf8)
        do throws(StoreError) {
            switch request.path {
            case Path.addUser:
                let admin = request.form["admin"] == "yes"
                try accounts.add(name: name, password: password, isAdmin: admin)
                log("added an account", by: request.person, ["user": "\(name)", "is_admin": "\(admin)"])
                return try usersPage(request, notice: words(.adminUserAdded, ("name", name)))
            case Path.removeUser:
                guard name.lowercased() != request.person.name.lowercased() else {
                    return try usersPage(request, notice: words[.adminCannotRemoveSelf])
                }
                guard try accounts.remove(name: name) else {
                    return try usersPage(request, notice: words(.adminNoSuchUser, ("name", name)))
                }
                log("removed an account", by: request.person, ["user": "\(name)"])
                return try usersPage(request, notice: words(.adminUserRemoved, ("name", name)))
            default:
                try accounts.setPassword(name: name, password: password)
                log("set a password", by: request.person, ["user": "\(name)"])
                return try usersPage(request, notice: words(.adminPasswordSet, ("name", name)))
            }
        } catch where error.cause == nil {
            return try usersPage(request, notice: error.description)
        }
    }
}
