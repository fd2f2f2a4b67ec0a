/// Why a password could not be hashed. `description` is written for the person choosing the password.
public enum PasswordHashError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The password is empty.
    case emptyPassword
    /// The password is longer than `limit` bytes.
    case passwordTooLong(limit: Int)
    /// The system could not supply random bytes for the salt.
    case randomUnavailable
    /// libargon2 failed: its result `code` and its text (e.g. the memory could not be had).
    case failed(code: Int32, message: String)

    /// What went wrong, for the person choosing the password or running Quarry.
    public var description: String {
        switch self {
        case .emptyPassword: "The password is empty."
        case .passwordTooLong(let limit): "The password is too long: at most \(limit) bytes."
        case .randomUnavailable: "The system could not supply random bytes for the password's salt."
        case .failed(let code, let message): "The password could not be hashed: \(message) (argon2 error \(code))."
        }
    }
}
