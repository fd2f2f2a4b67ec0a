// The sign-ins of password and ldap modes for `quarry serve`: a name and password checked against the built-in
// accounts (a memory-hard hash) or a directory (a bind), each sign-in kept in the database (it survives a restart) and
// in memory (the service thread asks on every request). The memory is read again from the database every few seconds,
// so `quarry user remove` or `passwd` run beside the server end that account's sign-ins within that time; a
// directory's person keeps the name and admin flag found at sign-in until they sign out or the sign-in expires.
import Contracts
import LDAP
import Locking
import Logging
import Server
import Store

/// Who is signed in on which browser session.
final class AccountSignIns: SignIns {
    /// What a check of a name and password found.
    enum Verified: Sendable {
        /// A built-in account: its name as stored and whether it is an admin.
        case account(Person)
        /// A person of the directory, an admin or not as its group says.
        case directory(Person)
        /// No such name, or the wrong password.
        case refused
        /// The check could not be made now (the directory is down or slow).
        case unavailable
    }

    /// Checks a name and password. Blocks for a hash's time, or the directory's round trips.
    typealias Verify = @Sendable (_ name: String, _ password: [UInt8]) -> Verified

    private let store: any SignInStorage
    private let verify: Verify
    private let logger: Logger
    /// The sign-ins by browser session, and how many times this process changed them (a reload read before a
    /// change must not undo it).
    private let signedIn = Locked<(people: [String: Person], changes: Int)>(([:], 0))
    private let task = Locked<Task<Void, Never>?>(nil)

    /// Checks against the built-in accounts of `store` (argon2id; an unknown name costs a hash too).
    static func verifier(store: any AccountStorage) -> Verify {
        let accounts = Accounts(store: store)
        return { name, password in
            accounts.verify(name: name, password: password).map { .account(Person(name: $0.name, isAdmin: $0.isAdmin)) }
                ?? .refused
        }
    }

    /// Checks with a bind against `directory`; why a person was refused, or the directory could not be asked, goes
    /// to the log (never to the page).
    static func verifier(directory: Directory, logger: Logger) -> Verify {
        return { name, password in
            switch directory.check(name: name, password: password) {
            case .person(let name, let isAdmin):
                return .directory(Person(name: name, isAdmin: isAdmin))
            case .refused(let reason):
                logger.info("directory sign-in refused", metadata: ["user": "\(name)", "cause": "\(reason)"])
                return .refused
            case .unreachable(let reason):
                logger.error("the directory could not check a sign-in", metadata: ["cause": "\(reason)"])
                return .unavailable
            }
        }
    }

    /// In ldap mode: a name with a built-in account (an admin added with `quarry user add`, which works in every
    /// mode) is checked against it, every other name against the directory.
    static func verifier(store: any AccountStorage, thenDirectory directory: Directory, logger: Logger) -> Verify {
        let accounts = Accounts(store: store), account = verifier(store: store)
        let person = verifier(directory: directory, logger: logger)
        return { name, password in
            ((try? accounts.lookup(name: name)) ?? nil) != nil ? account(name, password) : person(name, password)
        }
    }

    /// Sign-ins as the database has them now; `start` keeps them in step.
    init(store: any SignInStorage, verify: @escaping Verify, logger: Logger) throws(StoreError) {
        self.store = store
        self.verify = verify
        self.logger = logger
        try reload()
    }

    /// Reads the database's sign-ins again every `interval` until stopped.
    func start(interval: Duration = .seconds(5)) {
        task.withLock { task in
            task = Task.detached { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    do throws(StoreError) {
                        try await onOwnThread { () throws(StoreError) in try self.reload() }
                    } catch {
                        logger.warning("sign-ins could not be read again; keeping the last ones",
                                       metadata: ["cause": "\(error.logDescription)"])
                    }
                }
            }
        }
    }

    func stop() async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }

    private func reload() throws(StoreError) {
        let before = signedIn.withLock { $0.changes }
        let records = try store.currentSignIns()
        let people = Dictionary(records.map { ($0.session, Person(name: $0.name, isAdmin: $0.isAdmin)) },
                                uniquingKeysWith: { first, _ in first })
        signedIn.withLock { if $0.changes == before { $0.people = people } }
    }

    func person(signedInOn session: SessionID) -> Person? {
        signedIn.withLock { $0.people[session.rawValue] }
    }

    func signIn(name: String, password: [UInt8], on session: SessionID) -> SignInOutcome {
        let person: Person
        do throws(StoreError) {
            switch verify(name, password) {
            case .account(let account):
                person = account
                try store.recordSignIn(session: session.rawValue, account: account.name)
            case .directory(let found):
                person = found
                try store.recordSignIn(session: session.rawValue, directoryName: found.name, isAdmin: found.isAdmin)
            case .refused: return .refused
            case .unavailable: return .unavailable
            }
        } catch {
            logger.error("a sign-in could not be saved", metadata: ["cause": "\(error.logDescription)"])
            return .unavailable
        }
        signedIn.withLock {
            $0.people[session.rawValue] = person
            $0.changes += 1
        }
        logger.info("signed in", metadata: ["user": "\(person.name)", "admin": "\(person.isAdmin)"])
        return .signedIn(person)
    }

    func signOut(_ session: SessionID) {
        // The database first: a reload that begins after the memory changes must not find it there again.
        do {
            try store.removeSignIn(session: session.rawValue)
        } catch {
            logger.error("a sign-out could not be saved", metadata: ["cause": "\(error.logDescription)"])
        }
        let person = signedIn.withLock {
            $0.changes += 1
            return $0.people.removeValue(forKey: session.rawValue)
        }
        if let person { logger.info("signed out", metadata: ["user": "\(person.name)"]) }
    }
}
