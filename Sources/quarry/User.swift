// `quarry user add|passwd|remove|list`: the built-in accounts in the database, whatever `--auth` the server runs
// with (an admin account also opens the admin pages of a kiosk). Exit status: 0 done, 1 refused or failed (the
// user exists, there is no such user, the passwords differ or cannot be used), 64 a command line or name that
// cannot be used.
import Argon2
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Runs `quarry user`'s action on the database `--db`, `QUARRY_DB` or `./quarry.db` names; exits with the reason on a
/// refusal.
func runUser(_ options: UserOptions, environment: Environment) {
    let path = databasePath(options.db, environment)
    if let name = options.action.name {
        do { try Accounts.check(name: name) } catch { fail("\(error)", code: 64) }
    }
    // Adding the first account may create the database (before the first serve); the other commands need one. With
    // no database yet no name is taken, and the password is asked for first, so a refused one leaves no file behind.
    let exists = DatabaseLocation.namesPostgres(path) || access(path, F_OK) == 0
    var firstPassword: [UInt8]?
    switch options.action {
    case .add(let name, _) where !exists: firstPassword = newPassword(for: name)
    case .add: break
    default: if !exists { fail("There is no database at \(path); say which with --db FILE.", code: 1) }
    }
    let accounts: Accounts
    accounts = Accounts(store: openDatabase(path, environment))
    do throws(StoreError) {
        switch options.action {
        case .add(let name, let isAdmin):
            // Said before the password is asked for, not after it was typed twice.
            if let existing = try accounts.lookup(name: name) { throw .userExists(existing.name) }
            let password = firstPassword ?? newPassword(for: name)
            let account = try accounts.add(name: name, password: password, isAdmin: isAdmin)
            print("Added \(account.name)\(account.isAdmin ? ", an administrator" : "").")
        case .passwd(let name):
            guard let account = try accounts.lookup(name: name) else { throw .noSuchUser(name) }
            try accounts.setPassword(name: account.name, password: newPassword(for: account.name))
            print("Changed the password of \(account.name).")
        case .remove(let name):
            guard try accounts.remove(name: name) else { throw .noSuchUser(name) }
            print("Removed \(name).")
        case .list:
            print(table(try accounts.list()), terminator: "")
        }
    } catch {
        fail("\(error)", code: 1)
    }
}

/// The new password: typed twice on the terminal (echo off), or one line of standard input when it is not a
/// terminal. Exits 1 with the reason when there is none, they differ, or it is empty or too long.
private func newPassword(for name: String) -> [UInt8] {
    let limit = PasswordHash.passwordBytes.upperBound
    let password: Terminal.Line
    if Terminal.inputIsTerminal {
        guard let first = Terminal.readHiddenLine(prompt: "New password for \(name): ", limit: limit) else {
            fail("No password was given; nothing was changed.", code: 1)
        }
        guard let second = Terminal.readHiddenLine(prompt: "The same password again: ", limit: limit) else {
            fail("The password was not repeated; nothing was changed.", code: 1)
        }
        guard first.bytes == second.bytes, first.tooLong == second.tooLong else {
            fail("The passwords differ; nothing was changed.", code: 1)
        }
        password = first
    } else {
        guard let line = Terminal.readLine(limit: limit) else {
            fail("No password on standard input (one line is read from it when it is not a terminal); nothing was changed.",
                 code: 1)
        }
        password = line
    }
    if password.tooLong { fail("\(PasswordHashError.passwordTooLong(limit: limit)) Nothing was changed.", code: 1) }
    if password.bytes.isEmpty { fail("\(PasswordHashError.emptyPassword) Nothing was changed.", code: 1) }
    return password.bytes
}

/// `quarry user list`'s table: name, administrator or not, and when added (UTC); a line saying how to add one when
/// there are none.
private func table(_ accounts: [Account]) -> String {
    guard !accounts.isEmpty else { return "No users yet. Add one with: quarry user add NAME [--admin]\n" }
    let width = max(4, accounts.map(\.name.utf8.count).max() ?? 0)
    func padded(_ text: String) -> String { text + String(repeating: " ", count: width - text.utf8.count) }
    var out = "\(padded("NAME"))  ADMIN  CREATED\n"
    for account in accounts {
        out += "\(padded(account.name))  \(account.isAdmin ? "yes  " : "no   ")  \(utcMinute(account.createdAt))\n"
    }
    return out
}
