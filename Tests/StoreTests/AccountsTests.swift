import Argon2
import SQLite
import Store
import TestSupport
import Testing

@Suite struct AccountsTests {
    static let password = Array("correct horse battery staple".utf8)

    @Test func anAddedAccountIsListedFoundAndVerified() throws {
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            let ada = try accounts.add(name: "Ada@example.org", password: Self.password, isAdmin: true)
            let bob = try accounts.add(name: "bob", password: Array("hunter2!".utf8))
            #expect(ada.name == "Ada@example.org" && ada.isAdmin && ada.createdAt > 0 && ada.updatedAt == ada.createdAt)
            #expect(!bob.isAdmin)
            #expect(try accounts.list() == [ada, bob])
            #expect(try accounts.lookup(name: "ADA@EXAMPLE.ORG") == ada)
            #expect(try accounts.lookup(name: "carol") == nil)
            #expect(accounts.verify(name: "ada@example.org", password: Self.password) == ada)
            #expect(accounts.verify(name: "ada@example.org", password: Array("hunter2!".utf8)) == nil)
            #expect(accounts.verify(name: "bob", password: Array("hunter2!".utf8)) == bob)
            // Kept across a reopen, as an argon2id PHC string at the standard costs, never the password.
            let stored = try Connection(path: "\(folder)/quarry.db").query("SELECT password_hash FROM users ORDER BY id")
            #expect(stored[0][0].string?.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$") == true)
            #expect(stored[0][0].string?.contains("horse") == false)
            #expect(try Accounts(store: try Store(path: "\(folder)/quarry.db")).list() == [ada, bob])
        }
    }

    @Test func aNameIsTakenWhateverItsCase() throws {
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            try accounts.add(name: "ada", password: Self.password)
            #expect(throws: StoreError.userExists("ADA")) { try accounts.add(name: "ADA", password: Self.password) }
            #expect(throws: StoreError.userExists("ada")) { try accounts.add(name: "ada", password: Self.password) }
            #expect(try accounts.list().map(\.name) == ["ada"])
        }
    }

    @Test func removeSaysWhetherTheAccountExisted() throws {
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            try accounts.add(name: "ada", password: Self.password)
            #expect(try accounts.remove(name: "Ada"))
            #expect(try !accounts.remove(name: "ada"))
            #expect(try accounts.list().isEmpty)
            #expect(accounts.verify(name: "ada", password: Self.password) == nil)
        }
    }

    @Test func aNewPasswordReplacesTheOld() throws {
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            try accounts.add(name: "ada", password: Self.password)
            try accounts.setPassword(name: "ADA", password: Array("new passphrase".utf8))
            #expect(accounts.verify(name: "ada", password: Self.password) == nil)
            #expect(accounts.verify(name: "ada", password: Array("new passphrase".utf8))?.name == "ada")
            #expect(throws: StoreError.noSuchUser("bob")) {
                try accounts.setPassword(name: "bob", password: Self.password)
            }
        }
    }

    @Test func aNewPasswordAndTheEndOfTheOldSignInsAreOneChange() throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            let accounts = Accounts(store: store)
            try accounts.add(name: "ada", password: Self.password)
            try store.recordSignIn(session: "s1", account: "ada")
            // The sign-ins' removal fails (a trigger another connection made): the new password must not be kept
            // beside the old sign-ins.
            try Connection(path: "\(folder)/quarry.db").execute(
                "CREATE TRIGGER refuse_sign_out BEFORE DELETE ON sign_ins BEGIN SELECT RAISE(ABORT, 'refused'); END")
            #expect(throws: StoreError.self) {
                try accounts.setPassword(name: "ada", password: Array("new passphrase".utf8))
            }
            #expect(accounts.verify(name: "ada", password: Self.password)?.name == "ada")
            #expect(try store.currentSignIns().map(\.session) == ["s1"])
            try Connection(path: "\(folder)/quarry.db").execute("DROP TRIGGER refuse_sign_out")
            try accounts.setPassword(name: "ada", password: Array("new passphrase".utf8))
            #expect(accounts.verify(name: "ada", password: Array("new passphrase".utf8))?.name == "ada")
            #expect(try store.currentSignIns().isEmpty)
        }
    }

    @Test func anUnknownNameIsRefusedAfterAHashsWork() throws {
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            #expect(accounts.verify(name: "nobody", password: Self.password) == nil)
            #expect(accounts.verify(name: "", password: []) == nil)
        }
    }

    @Test func passwordsMustBeOneTo1024Bytes() throws {
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            #expect(throws: StoreError.password(.emptyPassword)) { try accounts.add(name: "ada", password: []) }
            #expect(throws: StoreError.password(.passwordTooLong(limit: 1024))) {
                try accounts.add(name: "ada", password: [UInt8](repeating: 0x61, count: 1025))
            }
            #expect(try accounts.list().isEmpty)
        }
    }

    @Test(arguments: ["a", "ada", "Ada.Lovelace@example.org", "x_y-z", "007", String(repeating: "n", count: 64)])
    func acceptableNames(name: String) throws {
        try Accounts.check(name: name)
    }

    @Test(arguments: ["", "-rf", ".hidden", "@host", "has space", "émile", "a/b", "a:b", "tab\there", "ada\n",
                      String(repeating: "n", count: 65)])
    func refusedNames(name: String) throws {
        #expect(throws: StoreError.invalidUserName(name)) { try Accounts.check(name: name) }
        try withTemporaryDirectory { folder in
            let accounts = Accounts(store: try Store(path: "\(folder)/quarry.db"))
            #expect(throws: StoreError.invalidUserName(name)) { try accounts.add(name: name, password: Self.password) }
        }
    }
}
