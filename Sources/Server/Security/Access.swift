// Who a request comes from, in each `--auth` mode: an anonymous browser (`none`, the kiosk's default), the person a
// trusted reverse proxy names (`proxy`), or the person signed in on this browser with a built-in account
// (`password`) or a directory's (`ldap`). A person's conversations belong to an owner id derived from their name, the same on every device
// and browser, so everything that keys on a session (threads, streams, reading pages, limits) keys on the person.
public import Contracts
internal import Crypto
internal import TextLines

/// How people are let in (`--auth`).
public enum AuthMode: String, Sendable, CaseIterable {
    /// Anyone who reaches the page, each browser its own anonymous session (a kiosk, a public help desk).
    case none
    /// A reverse proxy in front of Quarry has signed the person in and names them in a header.
    case proxy
    /// Built-in accounts (`quarry user add`), a sign-in page, a memory-hard password hash.
    case password
    /// The same sign-in page, the name and password checked with a bind against LDAP or Active Directory.
    case ldap

    /// Whether people sign in on Quarry's own page (and sign out there).
    public var signsInHere: Bool { self == .password || self == .ldap }
}

/// What checking a name and password came to.
public enum SignInOutcome: Sendable, Equatable {
    /// They match: the person is signed in on the session.
    case signedIn(Person)
    /// They do not match (or the name cannot sign in).
    case refused
    /// They could not be checked now: the directory (or the database) did not answer. The person should try again
    /// later; it is not a wrong guess.
    case unavailable
}

/// The sign-ins of `password` and `ldap` mode: which browser session is whose. The executable keeps them (in the database,
/// and in memory for the service thread).
public protocol SignIns: Sendable {
    /// The person signed in on the browser session `session`, if any. Called on the service thread for every
    /// page, socket and reading request: it must answer from memory, without blocking.
    func person(signedInOn session: SessionID) -> Person?
    /// Checks `name` and `password` and, when they match an account, records `session` as that person's. Takes
    /// as long as a memory-hard hash (tens of milliseconds), also for a name that has no account, or a directory's
    /// round trips (up to its timeout); called off the service thread.
    func signIn(name: String, password: [UInt8], on session: SessionID) -> SignInOutcome
    /// Ends the sign-in on `session` (nothing when there is none). Called off the service thread.
    func signOut(_ session: SessionID)
}

/// `proxy` mode's headers: set by the proxy, believed only from the addresses in
/// `ServerConfiguration.trustedProxies`.
public struct ProxyHeaders: Sendable, Equatable {
    /// The header that names the person (oauth2-proxy and Authelia send `X-Forwarded-User` / `Remote-User`).
    public var user: String
    /// The header that lists their groups, separated by commas; nil: none is read.
    public var groups: String?
    /// The group whose members are admins; nil: nobody is an admin through the proxy.
    public var adminGroup: String?

    public init(user: String = "X-Forwarded-User", groups: String? = "X-Forwarded-Groups", adminGroup: String? = nil) {
        self.user = user
        self.groups = groups
        self.adminGroup = adminGroup
    }
}

/// Who may use this Quarry: the mode and what it needs.
public struct AccessConfiguration: Sendable {
    public var mode: AuthMode
    /// `proxy` mode's headers.
    public var proxy: ProxyHeaders

    public init(mode: AuthMode = .none, proxy: ProxyHeaders = ProxyHeaders()) {
        self.mode = mode
        self.proxy = proxy
    }
}

/// Who a request comes from, as far as the server can tell.
enum Visitor: Equatable {
    /// `--auth none`: a browser and its anonymous session (nil: it has none yet).
    case browser(SessionID?)
    /// A person, whose conversations are the owner id's; `browser` is the session cookie's id (password and ldap
    /// modes).
    case person(Person, owner: SessionID, browser: SessionID?)
    /// Password and ldap modes: nobody is signed in on this browser (`browser`, if it has a session cookie already).
    case signInNeeded(browser: SessionID?)
    /// Proxy mode: the request did not come through the proxy, or the proxy named nobody. The sentence says which.
    case refused(String)

    /// The browser session the request's cookie names, whoever is signed in on it.
    var browser: SessionID? {
        switch self {
        case .browser(let browser), .person(_, _, let browser), .signInNeeded(let browser): browser
        case .refused: nil
        }
    }

    /// The session whose conversations this visitor sees, if any.
    var owner: SessionID? {
        switch self {
        case .browser(let session): session
        case .person(_, let owner, _): owner
        case .signInNeeded, .refused: nil
        }
    }
}

/// What the server reads of a request to tell who sent it.
struct VisitorEvidence {
    /// The `Cookie` header.
    var cookie: String?
    /// The TCP peer (the proxy, when there is one).
    var directPeer: String
    /// The value of a request header by name (case-insensitive); only proxy mode asks.
    var header: (String) -> String?
}

/// Tells visitors apart, on the service thread.
struct Access: Sendable {
    let configuration: AccessConfiguration
    let sessions: SessionCookies
    let signIns: (any SignIns)?
    let trustedProxies: [String]
    private let owners: MessageSigner

    /// Longest name a proxy may give, in bytes.
    static let maxNameBytes = 256

    init(configuration: AccessConfiguration, sessions: SessionCookies, signIns: (any SignIns)?,
         trustedProxies: [String], secret: [UInt8]) {
        self.configuration = configuration
        self.sessions = sessions
        self.signIns = signIns
        self.trustedProxies = trustedProxies
        owners = MessageSigner(secret: secret, purpose: "person")
    }

    var mode: AuthMode { configuration.mode }

    /// Whether people sign in with Quarry's own form: in password and ldap modes everyone, and without sign-in for
    /// the page (`none`) admins, for the admin pages, when there are accounts to sign in with.
    var signsIn: Bool { mode.signsInHere || (mode == .none && signIns != nil) }

    /// Who sent the request described by `evidence`.
    func visitor(_ evidence: VisitorEvidence) -> Visitor {
        let browser = evidence.cookie.flatMap(sessions.session(fromCookieHeader:))
        switch configuration.mode {
        case .none:
            return .browser(browser)
        case .password, .ldap:
            guard let browser, let person = signIns?.person(signedInOn: browser) else {
                return .signInNeeded(browser: browser)
            }
            return .person(person, owner: owner(of: person.name), browser: browser)
        case .proxy:
            guard trustedProxies.contains(evidence.directPeer) else {
                return .refused("This Quarry is reached through its sign-in proxy; this request did not come through it.")
            }
            guard let name = evidence.header(configuration.proxy.user)?.trimmingBlanks, Self.isAcceptable(name: name)
            else { return .refused("The sign-in proxy did not say who you are (no \(configuration.proxy.user) header).") }
            let groups = configuration.proxy.groups.flatMap(evidence.header)?.split(separator: ",").map(\.trimmingBlanks) ?? []
            let admin = configuration.proxy.adminGroup.map { groups.contains($0) } ?? false
            return .person(Person(name: name, isAdmin: admin), owner: owner(of: name), browser: browser)
        }
    }

    /// The owner id of `name`'s conversations: keyed by the server's secret, so it cannot be guessed from the
    /// name, and of the session ids' shape (22 base64url characters, after a `p`), so stream names stay plain.
    func owner(of name: String) -> SessionID {
        let signed = owners.sign(name)
        return SessionID(rawValue: "p" + ByteEncoding.base64URL(Array(SHA256.hash(Array(signed.utf8)).prefix(16))))
    }

    /// A name from a header: not empty, not too long, no control characters.
    static func isAcceptable(name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameBytes && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }
}
