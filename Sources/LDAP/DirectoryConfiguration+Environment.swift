// The directory's configuration from the environment (`--auth ldap`).
//
// | variable                        | meaning                                                          | default      |
// | ------------------------------- | ---------------------------------------------------------------- | ------------ |
// | QUARRY_LDAP_URL                 | ldap:// or ldaps:// URL(s) of the directory, space-separated     | required     |
// | QUARRY_LDAP_STARTTLS            | yes: upgrade an ldap:// connection with StartTLS                 | no           |
// | QUARRY_LDAP_CA_FILE             | PEM certificates that sign the directory's                       | the system's |
// | QUARRY_LDAP_USER_DN             | a DN template, `uid={name},ou=people,dc=example,dc=org`: bind at once | none    |
// | QUARRY_LDAP_BASE                | where to search for the person (instead of QUARRY_LDAP_USER_DN)  | none         |
// | QUARRY_LDAP_USER_FILTER         | the search's filter; Active Directory: `(sAMAccountName={name})` | (uid={name}) |
// | QUARRY_LDAP_BIND_DN             | the service account that searches and reads the admin group      | none: anonymous |
// | QUARRY_LDAP_BIND_PASSWORD       | its password                                                     | none         |
// | QUARRY_LDAP_BIND_PASSWORD_FILE  | a file holding its password (instead of QUARRY_LDAP_BIND_PASSWORD) | none       |
// | QUARRY_LDAP_ADMIN_GROUP         | the DN of the group whose members are admins                     | none         |
// | QUARRY_LDAP_TIMEOUT             | seconds to connect, and for each answer                          | 5            |
//
// Exactly one of QUARRY_LDAP_USER_DN and QUARRY_LDAP_BASE is set. Every mistake is a one-line sentence.
internal import TextLines
#if canImport(Glibc)
internal import Glibc
#endif

/// A mistake in the directory's settings, as one sentence for the person setting Quarry up.
public struct DirectoryConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

extension DirectoryConfiguration {
    /// The directory `environment` describes; throws a sentence when a setting is missing, malformed or
    /// contradicts another.
    public static func fromEnvironment(_ environment: [String: String]) throws(DirectoryConfigurationError)
        -> DirectoryConfiguration
    {
        func value(_ key: String) -> String? {
            environment[key].flatMap { $0.trimmingBlanks.isEmpty ? nil : $0.trimmingBlanks }
        }
        guard let url = value("QUARRY_LDAP_URL") else {
            throw .init("--auth ldap needs QUARRY_LDAP_URL, the directory's address, such as ldaps://ldap.example.org.")
        }
        let urls = url.split(separator: " ")
        for each in urls where !(each.hasPrefix("ldap://") || each.hasPrefix("ldaps://")) {
            throw .init("QUARRY_LDAP_URL takes ldap:// or ldaps:// addresses, not “\(each)”.")
        }
        let startTLS: Bool
        switch value("QUARRY_LDAP_STARTTLS")?.lowercased() ?? "no" {
        case "yes", "true", "1", "on": startTLS = true
        case "no", "false", "0", "off": startTLS = false
        case let other: throw .init("QUARRY_LDAP_STARTTLS must be yes or no, not “\(other)”.")
        }
        if startTLS, urls.contains(where: { $0.hasPrefix("ldaps://") }) {
            throw .init("QUARRY_LDAP_STARTTLS is for ldap:// addresses; an ldaps:// one is encrypted already.")
        }
        let lookup: UserLookup
        switch (value("QUARRY_LDAP_USER_DN"), value("QUARRY_LDAP_BASE")) {
        case (_?, _?):
            throw .init("Set QUARRY_LDAP_USER_DN (bind at once) or QUARRY_LDAP_BASE (search, then bind), not both.")
        case (nil, nil):
            throw .init("""
                --auth ldap needs QUARRY_LDAP_USER_DN, such as uid={name},ou=people,dc=example,dc=org, or \
                QUARRY_LDAP_BASE to search for the person under, such as dc=example,dc=org.
                """)
        case (let template?, nil):
            guard template.contains(namePlaceholder) else {
                throw .init("QUARRY_LDAP_USER_DN must hold {name} where the name goes, as in uid={name},ou=people,dc=example,dc=org.")
            }
            if value("QUARRY_LDAP_USER_FILTER") != nil {
                throw .init("QUARRY_LDAP_USER_FILTER is for a search (QUARRY_LDAP_BASE); QUARRY_LDAP_USER_DN binds at once.")
            }
            lookup = .template(template)
        case (nil, let base?):
            let filter = value("QUARRY_LDAP_USER_FILTER") ?? defaultFilter
            guard filter.hasPrefix("("), filter.hasSuffix(")"), filter.contains(namePlaceholder) else {
                throw .init("QUARRY_LDAP_USER_FILTER must be a filter in parentheses holding {name}, such as (uid={name}), not “\(filter)”.")
            }
            lookup = .search(base: base, filter: filter)
        }
        // The password as given, blanks included; empty is unset.
        let password = environment["QUARRY_LDAP_BIND_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let serviceAccount = try Self.serviceAccount(dn: value("QUARRY_LDAP_BIND_DN"), password: password,
                                                     file: value("QUARRY_LDAP_BIND_PASSWORD_FILE"))
        let text = value("QUARRY_LDAP_TIMEOUT") ?? "5"
        guard let seconds = Double(text), seconds >= 0.1, seconds <= 300 else {
            throw .init("QUARRY_LDAP_TIMEOUT must be a number of seconds from 0.1 to 300, not “\(text)”.")
        }
        return DirectoryConfiguration(url: url, startTLS: startTLS, caFile: value("QUARRY_LDAP_CA_FILE"), lookup: lookup,
                                      serviceAccount: serviceAccount, adminGroup: value("QUARRY_LDAP_ADMIN_GROUP"),
                                      timeout: .milliseconds(Int64(seconds * 1000)))
    }

    /// The service account, from its DN and its password (given, or read from a file), or nil when none is set.
    private static func serviceAccount(dn: String?, password: String?, file: String?)
        throws(DirectoryConfigurationError) -> ServiceAccount?
    {
        switch (dn, password, file) {
        case (nil, nil, nil): return nil
        case (nil, _, _):
            throw .init("QUARRY_LDAP_BIND_PASSWORD is the service account's: set QUARRY_LDAP_BIND_DN too.")
        case (_?, _?, _?):
            throw .init("Set QUARRY_LDAP_BIND_PASSWORD or QUARRY_LDAP_BIND_PASSWORD_FILE, not both.")
        case (_?, nil, nil):
            throw .init("QUARRY_LDAP_BIND_DN needs its password: QUARRY_LDAP_BIND_PASSWORD_FILE (or QUARRY_LDAP_BIND_PASSWORD).")
        case (let dn?, let password?, nil):
            return ServiceAccount(dn: dn, password: Array(password.utf8))
        case (let dn?, nil, let path?):
            var bytes = try readSecret(path)
            while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard !bytes.isEmpty else {
                throw .init("QUARRY_LDAP_BIND_PASSWORD_FILE “\(path)” is empty; an empty password would bind anonymously.")
            }
            return ServiceAccount(dn: dn, password: bytes)
        }
    }

    /// The bytes of the file at `path`, at most 4 KiB (`fopen`, `fread`).
    private static func readSecret(_ path: String) throws(DirectoryConfigurationError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw .init("QUARRY_LDAP_BIND_PASSWORD_FILE “\(path)” cannot be read.")
        }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: 4097)
        let count = fread(&bytes, 1, bytes.count, file)
        guard count < bytes.count else {
            throw .init("QUARRY_LDAP_BIND_PASSWORD_FILE “\(path)” is longer than a password.")
        }
        return Array(bytes[..<count])
    }

    /// Whether passwords would cross the network unencrypted: an ldap:// address to another machine, without StartTLS.
    public var sendsPasswordsInClear: Bool {
        guard !startTLS else { return false }
        return url.split(separator: " ").contains { address in
            address.hasPrefix("ldap://") && !(address.hasPrefix("ldap://127.") || address.hasPrefix("ldap://localhost")
                                             || address.hasPrefix("ldap://[::1]"))
        }
    }
}
