// What of a configuration may be written to a log: the endpoint without the password a URL can carry
// (`https://user:secret@gateway/v1`, which curl sends as basic authentication).

extension LLMConfiguration {
    /// `baseURL` with the password of its user information, if any, replaced by `***`.
    public var loggableBaseURL: String { Self.redactingPassword(baseURL) }

    /// `url` with the password in its user information (`scheme://user:password@host…`) replaced by `***`.
    static func redactingPassword(_ url: String) -> String {
        let characters = Array(url)
        guard let separator = characters.indices.first(where: { characters[$0...].starts(with: "://") }) else { return url }
        let authorityStart = separator + 3
        // The authority ends at the first "/", "?" or "#" after the scheme.
        let authorityEnd = characters[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" }
            ?? characters.count
        let authority = characters[authorityStart..<authorityEnd]
        // The user information ends at the authority's last "@" (a password may itself hold one, unencoded).
        guard let at = authority.lastIndex(of: "@"),
              let colon = characters[authorityStart..<at].firstIndex(of: ":")
        else { return url }
        return String(characters[..<(colon + 1)]) + "***" + String(characters[at...])
    }
}
