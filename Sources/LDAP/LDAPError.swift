// What can go wrong talking to a directory: libldap missing, or a call's result code with the server's message.
// The codes that matter to a sign-in have names; `isUnreachable` tells a directory that could not answer from one
// that answered no.
internal import CLDAP

/// A failure of libldap or of the directory.
public enum LDAPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libldap could not be loaded (`dlopen`), or lacks a function; the sentence says which.
    case unavailable(String)
    /// A call returned `code` (an LDAP result code, or one of libldap's negative client codes), with
    /// `ldap_err2string`'s text and the server's diagnostic message.
    case failed(operation: String, code: Int32, message: String)

    /// `LDAP_INVALID_CREDENTIALS` (49): no such DN, or the wrong password.
    public static let invalidCredentials = LDAP_INVALID_CREDENTIALS
    /// `LDAP_SIZELIMIT_EXCEEDED` (4): a search found more entries than it allowed.
    public static let sizeLimitExceeded = LDAP_SIZELIMIT_EXCEEDED
    /// `LDAP_NO_SUCH_OBJECT` (32): the search base (or the group) does not exist.
    public static let noSuchObject = LDAP_NO_SUCH_OBJECT
    /// The codes of a directory that did not answer: `LDAP_SERVER_DOWN` (-1), `LDAP_TIMEOUT` (-5),
    /// `LDAP_CONNECT_ERROR` (-11), `LDAP_TIMELIMIT_EXCEEDED` (3), `LDAP_BUSY` (51), `LDAP_UNAVAILABLE` (52).
    public static let unreachableCodes: Set<Int32> = [LDAP_SERVER_DOWN, LDAP_TIMEOUT, LDAP_CONNECT_ERROR,
                                                       LDAP_TIMELIMIT_EXCEEDED, LDAP_BUSY, LDAP_UNAVAILABLE]

    /// The result code, if a call failed.
    public var code: Int32? {
        if case .failed(_, let code, _) = self { return code }
        return nil
    }

    /// Whether the directory could not be reached or did not answer in time (rather than answering no).
    public var isUnreachable: Bool {
        switch self {
        case .unavailable: false
        case .failed(_, let code, _): Self.unreachableCodes.contains(code)
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let reason): reason
        case .failed(let operation, let code, let message): "\(operation) failed (\(code)): \(message)"
        }
    }
}
