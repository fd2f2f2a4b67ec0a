// How Quarry finds a person in an LDAP directory or Active Directory and checks their password: the server, how the
// person's entry is named (a DN template, or a search), who may search, and which group's members are admins.

/// A directory to sign people in against (`--auth ldap`).
public struct DirectoryConfiguration: Sendable, Equatable {
    /// How the entry of the person signing in is found.
    public enum UserLookup: Sendable, Equatable {
        /// The entry's DN is `template` with `{name}` replaced by the name (escaped as a DN value), bound at once:
        /// `uid={name},ou=people,dc=example,dc=org`.
        case template(String)
        /// The entry is the one `filter` (with `{name}` replaced by the name, escaped as a filter value) finds in the
        /// subtree under `base`; no entry or more than one: nobody signs in.
        case search(base: String, filter: String)
    }

    /// The account that searches for people (and reads the admin group) before the person's own bind.
    public struct ServiceAccount: Sendable, Equatable {
        public var dn: String
        public var password: [UInt8]

        public init(dn: String, password: [UInt8]) {
            self.dn = dn
            self.password = password
        }
    }

    /// One or more ldap:// or ldaps:// URLs, separated by spaces, tried in turn.
    public var url: String
    /// Upgrade an ldap:// connection with StartTLS before anything is sent.
    public var startTLS: Bool
    /// The certificates that sign the directory's (PEM), instead of the system's; nil: the system's.
    public var caFile: String?
    public var lookup: UserLookup
    /// nil: the search is made anonymously (and the group read as the person signing in).
    public var serviceAccount: ServiceAccount?
    /// The DN of the group whose members are admins; nil: nobody is an admin through the directory.
    public var adminGroup: String?
    /// The longest any step may take: connecting, and each answer.
    public var timeout: Duration

    /// The search filter of the default lookup (OpenLDAP's people; Active Directory's is `(sAMAccountName={name})`).
    public static let defaultFilter = "(uid={name})"
    /// Where a template or filter takes the name.
    public static let namePlaceholder = "{name}"

    public init(url: String, startTLS: Bool = false, caFile: String? = nil, lookup: UserLookup,
                serviceAccount: ServiceAccount? = nil, adminGroup: String? = nil, timeout: Duration = .seconds(5)) {
        self.url = url
        self.startTLS = startTLS
        self.caFile = caFile
        self.lookup = lookup
        self.serviceAccount = serviceAccount
        self.adminGroup = adminGroup
        self.timeout = timeout
    }
}
