// AccountStorage's and SignInStorage's requirements (through `Accounts`, which hashes), on SQLite and PostgreSQL.
import Store
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

@Suite struct AccountStorageTests {
    static let password = Array("correct horse battery staple".utf8)

    @Test(arguments: Backend.available)
    func anAccountIsAddedFoundWhateverTheCaseVerifiedAndRemoved(backend: Backend) throws {
        try withStorage(backend) { storage in
            let accounts = Accounts(store: storage)
            let ada = try accounts.add(name: "Ada@example.org", password: Self.password, isAdmin: true)
            let bob = try accounts.add(name: "bob", password: Array("hunter2!".utf8))
            #expect(ada.name == "Ada@example.org" && ada.isAdmin && ada.createdAt > 0 && !bob.isAdmin)
            #expect(try accounts.list() == [ada, bob])
            #expect(try accounts.lookup(name: "ADA@EXAMPLE.ORG") == ada)
            #expect(accounts.verify(name: "ada@example.org", password: Self.password) == ada)
            #expect(accounts.verify(name: "bob", password: Self.password) == nil)
            #expect(throws: StoreError.userExists("BOB")) { try accounts.add(name: "BOB", password: Self.password) }
            #expect(try storage.selectUser(name: "Ada@Example.org")?.passwordHash.hasPrefix("$argon2id$") == true)
            #expect(try accounts.remove(name: "BOB"))
            #expect(try !accounts.remove(name: "bob"))
            #expect(try accounts.list() == [ada])
            #expect(try openAgain(storage).selectUsers() == [ada])
        }
    }

    @Test(arguments: Backend.available)
    func adminIsGrantedAndTakenAndAnUnknownNameSaysSo(backend: Backend) throws {
        try withStorage(backend) { storage in
            let accounts = Accounts(store: storage)
            try accounts.add(name: "ada", password: Self.password)
            try accounts.setAdmin(name: "ADA", isAdmin: true)
            #expect(try accounts.lookup(name: "ada")?.isAdmin == true)
            try accounts.setAdmin(name: "ada", isAdmin: false)
            #expect(try accounts.lookup(name: "ada")?.isAdmin == false)
            #expect(throws: StoreError.noSuchUser("bob")) { try accounts.setAdmin(name: "bob", isAdmin: true) }
            #expect(throws: StoreError.noSuchUser("bob")) { try accounts.setPassword(name: "bob", password: Self.password) }
        }
    }

    @Test(arguments: Backend.available)
    func aNewPasswordEndsTheOldSignInsAndARemovedAccountItsOwn(backend: Backend) throws {
        try withStorage(backend) { storage in
            let accounts = Accounts(store: storage)
            try accounts.add(name: "ada", password: Self.password, isAdmin: true)
            try accounts.add(name: "bob", password: Self.password)
            try storage.recordSignIn(session: "s1", account: "ADA")
            try storage.recordSignIn(session: "s2", account: "bob")
            try storage.recordSignIn(session: "s3", directoryName: "carol", isAdmin: false)
            try storage.recordSignIn(session: "s4", account: "nobody")  // no such account: nothing recorded
            #expect(Set(try storage.currentSignIns().map(\.session)) == ["s1", "s2", "s3"])
            // A sign-in follows its account's admin flag as it is now.
            try accounts.setAdmin(name: "ada", isAdmin: false)
            #expect(try storage.currentSignIns().first { $0.session == "s1" } == SignInRecord(session: "s1", name: "ada", isAdmin: false))
            try accounts.setPassword(name: "ada", password: Array("new passphrase".utf8))
            #expect(accounts.verify(name: "ada", password: Array("new passphrase".utf8))?.name == "ada")
            #expect(Set(try storage.currentSignIns().map(\.session)) == ["s2", "s3"])
            #expect(try accounts.remove(name: "bob"))
            #expect(try storage.currentSignIns() == [SignInRecord(session: "s3", name: "carol", isAdmin: false)])
            // A session signing in again replaces its sign-in; signing out ends it.
            try storage.recordSignIn(session: "s3", directoryName: "dave", isAdmin: true)
            #expect(try storage.currentSignIns() == [SignInRecord(session: "s3", name: "dave", isAdmin: true)])
            try storage.removeSignIn(session: "s3")
            #expect(try storage.currentSignIns().isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func aSignInEndsAfterItsLifetime(backend: Backend) throws {
        try withStorage(backend) { storage in
            try storage.recordSignIn(session: "s", directoryName: "carol", isAdmin: false)
            let now = try #require(try storage.currentSignIns().first).session == "s" ? Int64(time(nil)) : 0
            #expect(try storage.currentSignIns(now: now + SignInRecord.lifetime - 60).count == 1)
            #expect(try storage.currentSignIns(now: now + SignInRecord.lifetime + 60).isEmpty)
            #expect(try storage.currentSignIns().isEmpty)  // deleted on the way
        }
    }
}
