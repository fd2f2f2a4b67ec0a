// The sign-in form and the line that says who is signed in: plain HTML forms, posted and answered with a redirect,
// so signing in and out work without the page's script.
internal import Contracts
internal import TurboStream
internal import Words

/// The addresses and HTML of signing in and out.
enum SignInPage {
    static let signInPath = "/sign-in"
    static let signOutPath = "/sign-out"
    /// The sign-in form's fields.
    static let nameField = "name"
    static let passwordField = "password"
    /// Longest name and password taken from the form, in bytes (the accounts refuse longer ones anyway).
    static let maxNameBytes = 256
    static let maxPasswordBytes = 1024
    /// Longest form body read, in bytes: the fields above, their escaping and the token.
    static let maxFormBytes = 8 * 1024

    /// The sign-in form, with `message` above it (a wrong password, a wait) and `name` filled in again.
    static func form(frame: ReadingFrame, words: Words, token: String, name: String = "", message: String? = nil,
                     status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let notice = message.map { "<p class=\"sign-in-message\" role=\"alert\">\(HTML.escape($0))</p>" } ?? ""
        let html = frame.page(title: words[.signInTitle], bodyClass: "sign-in", words: words, body: """
            <main class="sign-in-box"><h1>Quarry</h1>\(notice)\
            <form method="post" action="\(signInPath)">\
            <input type="hidden" name="\(FormTokens.field)" value="\(HTML.escape(token))">\
            <label for="sign-in-name">\(HTML.escape(words[.signInName]))</label>\
            <input id="sign-in-name" name="\(nameField)" value="\(HTML.escape(name))" autocomplete="username" \
            autocapitalize="none" spellcheck="false" maxlength="\(maxNameBytes)" required\(name.isEmpty ? " autofocus" : "")>\
            <label for="sign-in-password">\(HTML.escape(words[.signInPassword]))</label>\
            <input id="sign-in-password" name="\(passwordField)" type="password" autocomplete="current-password" \
            maxlength="\(maxPasswordBytes)" required\(name.isEmpty ? "" : " autofocus")>\
            <button type="submit">\(HTML.escape(words[.signInSubmit]))</button></form></main>
            """)
        return HTTPResponse(status: status, contentType: "text/html; charset=utf-8",
                            headers: [("cache-control", "no-store")] + headers, body: Array(html.utf8))
    }

    /// The shell's line for a person: their name, and a sign-out button when Quarry signed them in (`token` is the
    /// form token of their browser; nil: the proxy signs people out, not Quarry).
    static func account(_ person: Person, token: String?, words: Words) -> String {
        let name = HTML.escape(words(.signInSignedInAs, ("name", person.name)))
        guard let token else { return "<p class=\"account\">\(name)</p>" }
        return """
            <form class="account" method="post" action="\(signOutPath)"><span>\(name)</span>\
            <input type="hidden" name="\(FormTokens.field)" value="\(HTML.escape(token))">\
            <button type="submit">\(HTML.escape(words[.signInSignOut]))</button></form>
            """
    }

    /// A redirect after a form (303: the browser follows it with a GET).
    static func seeOther(_ location: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: 303, contentType: "text/plain; charset=utf-8",
                     headers: [("location", location), ("cache-control", "no-store")] + headers, body: [])
    }
}
