// A sign-in checked against a directory, one connection per check:
//
// 1. Refuse at once, without a word to the directory, an empty password (a simple bind with one is an
//    "unauthenticated bind", RFC 4513 section 5.1.2, which many servers accept as a success) and a name that is empty,
//    too long or holds control characters.
// 2. Find the person's DN: the template with the name escaped as a DN value (RFC 4514), or a subtree search with the
//    name escaped as a filter value (RFC 4515), made as the service account or anonymously, allowing two entries
//    so that an ambiguous name is seen and refused rather than the first one taken.
// 3. Bind as that DN with the password: the directory's answer is the check.
// 4. With an admin group: read the group entry alone (a base search) with the filter
//    `(|(member=DN)(uniqueMember=DN)(memberUid=name))`, as the service account if there is one, else as the person:
//    a member of a groupOfNames (OpenLDAP, Active Directory's group), groupOfUniqueNames or posixGroup is an admin.
//    Nested groups are not followed.
//
// A directory that cannot be reached, or does not answer within the timeout, is `.unreachable`, never `.refused`:
// the person is told to try later rather than that their password is wrong.
internal import TextLines

/// What a directory said about a name and password.
public enum DirectoryAnswer: Sendable, Equatable {
    /// They match: the person's name (lower-cased: directories compare uid and sAMAccountName without case), and
    /// whether they belong to the admin group.
    case person(name: String, isAdmin: Bool)
    /// They do not match, or the name cannot be signed in; `reason` is for the log only.
    case refused(reason: String)
    /// The directory could not be asked (down, slow, misconfigured); `reason` is for the log only.
    case unreachable(reason: String)
}

/// Checks names and passwords against a directory; safe to use from many threads at once.
public struct Directory: Sendable {
    public let configuration: DirectoryConfiguration

    /// Longest name taken, in bytes.
    public static let maxNameBytes = 256

    public init(configuration: DirectoryConfiguration) {
        self.configuration = configuration
    }

    /// Checks `name` and `password`: blocks for the directory's round trips (each at most the timeout).
    public func check(name typed: String, password: [UInt8]) -> DirectoryAnswer {
        guard !password.isEmpty else { return .refused(reason: "empty password (never sent: it would bind anonymously)") }
        // Directories ignore spaces at the ends of a uid; trimmed here, "alice " is not a second person "alice".
        let name = typed.trimmingBlanks
        guard !name.isEmpty, name.utf8.count <= Self.maxNameBytes,
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { return .refused(reason: "the name is empty, too long or holds control characters") }
        do throws(LDAPError) {
            let connection = try LDAPConnection(url: configuration.url, timeout: configuration.timeout,
                                                startTLS: configuration.startTLS, caFile: configuration.caFile)
            guard let dn = try entry(of: name, on: connection) else { return .refused(reason: "no entry for this name") }
            do throws(LDAPError) {
                try connection.bind(dn: dn, password: password)
            } catch where error.code == LDAPError.invalidCredentials {
                return .refused(reason: "wrong password for \(dn)")
            }
            return .person(name: name.lowercased(), isAdmin: try isAdmin(dn: dn, name: name, on: connection))
        } catch {
            return .unreachable(reason: error.description)
        }
    }

    /// The DN of `name`'s entry, or nil when the search finds none or more than one.
    private func entry(of name: String, on connection: LDAPConnection) throws(LDAPError) -> String? {
        switch configuration.lookup {
        case .template(let template):
            return template.replacing(DirectoryConfiguration.namePlaceholder, with: LDAPEscaping.dnValue(name))
        case .search(let base, let filter):
            try bindServiceAccount(on: connection)
            let query = filter.replacing(DirectoryConfiguration.namePlaceholder, with: LDAPEscaping.filterValue(name))
            do throws(LDAPError) {
                let found = try connection.search(base: base, subtree: true, filter: query, sizeLimit: 2)
                return found.count == 1 ? found[0] : nil
            } catch where error.code == LDAPError.sizeLimitExceeded {
                return nil
            }
        }
    }

    /// Whether the entry `dn` (signed in as `name`) is a member of the admin group.
    private func isAdmin(dn: String, name: String, on connection: LDAPConnection) throws(LDAPError) -> Bool {
        guard let group = configuration.adminGroup else { return false }
        try bindServiceAccount(on: connection)
        let member = LDAPEscaping.filterValue(dn)
        let filter = "(|(member=\(member))(uniqueMember=\(member))(memberUid=\(LDAPEscaping.filterValue(name))))"
        do throws(LDAPError) {
            return try !connection.search(base: group, subtree: false, filter: filter, sizeLimit: 1).isEmpty
        } catch where error.code == LDAPError.noSuchObject {
            return false
        }
    }

    /// Binds as the service account, when there is one; its wrong password is the directory's problem, not the
    /// person's: `.unreachable`.
    private func bindServiceAccount(on connection: LDAPConnection) throws(LDAPError) {
        guard let account = configuration.serviceAccount else { return }
        do throws(LDAPError) {
            try connection.bind(dn: account.dn, password: account.password)
        } catch where error.code == LDAPError.invalidCredentials {
            throw .failed(operation: "the service account's bind", code: LDAPError.invalidCredentials,
                          message: "QUARRY_LDAP_BIND_DN or its password is wrong")
        }
    }
}
