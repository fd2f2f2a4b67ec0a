public import Argon2
public import Postgres
public import SQLite

/// Why the store could not do what was asked. `description` is written for the person running the box;
/// `cause` (and `logDescription`) carry SQLite's own error for the log.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database file could not be opened or set up (missing folder, no permission, not a database).
    case cannotOpen(path: String, cause: SQLiteError)
    /// The database was written by a newer Quarry: its schema `version` is past the `supported` one.
    case newerDatabase(path: String, version: Int, supported: Int)
    /// Bringing the database's schema up to date failed; it was left at its previous version.
    case migrationFailed(path: String, cause: SQLiteError)
    /// A read or write failed.
    case database(SQLiteError)
    /// The PostgreSQL database at `place` was migrated by a newer Quarry: it has had `version` migrations, this
    /// Quarry knows `supported`.
    case newerPostgresDatabase(place: String, version: Int, supported: Int)
    /// `quarry migrate` found conversations, accounts or sign-ins in the PostgreSQL database at `place` already.
    case copyRefused(place: String)
    /// A PostgreSQL database (`PostgresStore`) could not be reached, set up, read or written.
    case postgres(PostgresError)
    /// `QUARRY_SECRET` is set but shorter than `Store.minimumSecretLength` bytes.
    case secretTooShort(byteCount: Int)
    /// The system's random generator failed, so no server secret could be made.
    case randomUnavailable
    /// The text is not an acceptable user name (`Accounts.userNameBytes`, letters, digits and `. _ - @`).
    case invalidUserName(String)
    /// A user with this name (in any case) exists already.
    case userExists(String)
    /// There is no user with this name.
    case noSuchUser(String)
    /// The password cannot be used (empty, too long) or could not be hashed.
    case password(PasswordHashError)

    /// What went wrong and what to do about it, for the person running Quarry.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let cause):
            Self.explain("The database file at \(path) could not be opened: \(cause.message).", cause)
        case .newerDatabase(let path, let version, let supported):
            "The database file at \(path) was written by a newer version of Quarry (schema version \(version); "
                + "this version understands up to \(supported)). Run the newer Quarry, or restore a backup."
        case .migrationFailed(let path, let cause):
            Self.explain(
                "The database file at \(path) could not be updated to this version of Quarry: \(cause.message). "
                    + "It was left as it was.", cause)
        case .database(let cause):
            Self.explain("The database could not be read or written: \(cause.message).", cause)
        case .postgres(let cause):
            cause.message
        case .copyRefused(let place):
            "The PostgreSQL database at \(place) holds conversations, accounts or sign-ins already; copy into an empty "
                + "database (createdb a new one), or drop this one's tables first."
        case .newerPostgresDatabase(let place, let version, let supported):
            "The PostgreSQL database at \(place) was set up by a newer version of Quarry (schema version \(version); "
                + "this version understands up to \(supported)). Run the newer Quarry on every host."
        case .secretTooShort(let byteCount):
            "QUARRY_SECRET must be at least \(Store.minimumSecretLength) bytes (it has \(byteCount)). "
                + "Use a long random value, e.g. the output of `openssl rand -hex 32`, or unset it to let Quarry "
                + "keep its own."
        case .randomUnavailable:
            "The system could not supply random bytes for Quarry's server secret. "
                + "Set QUARRY_SECRET to a long random value (at least \(Store.minimumSecretLength) bytes)."
        case .invalidUserName(let name):
            "“\(name)” cannot be a user name: use 1 to \(Accounts.userNameBytes.upperBound) letters (a–z, A–Z), "
                + "digits and . _ - @, starting with a letter or a digit."
        case .userExists(let name):
            "There is already a user named \(name) (names are the same whatever their case)."
        case .noSuchUser(let name):
            "There is no user named \(name)."
        case .password(let cause):
            cause.description
        }
    }

    /// SQLite's error behind this one, if any.
    public var cause: SQLiteError? {
        switch self {
        case .cannotOpen(_, let cause), .migrationFailed(_, let cause), .database(let cause): cause
        case .newerDatabase, .postgres, .newerPostgresDatabase, .copyRefused, .secretTooShort, .randomUnavailable, .invalidUserName, .userExists, .noSuchUser, .password:
            nil
        }
    }

    /// `description` followed by the SQLite error's codes and SQL, for the log.
    public var logDescription: String {
        if case .postgres(let cause) = self { return "\(description) (\(cause))" }
        guard let cause else { return description }
        return "\(description) (\(cause))"
    }

    /// `sentence`, followed by a next step when `cause` is a failure a person can fix.
    private static func explain(_ sentence: String, _ cause: SQLiteError) -> String {
        let advice = switch cause.code {
        case .cantOpen: "Check that the folder exists and that Quarry may write to it."
        case .readOnly, .permission: "Check that Quarry may write to the file and its folder."
        case .busy: "Another program (perhaps a second Quarry) is holding it; stop that program or try again."
        case .full: "The disk is full; free some space."
        case .corrupt, .notADatabase: "The file is damaged or is not a Quarry database; restore a backup."
        default: ""
        }
        return advice.isEmpty ? sentence : "\(sentence) \(advice)"
    }
}
