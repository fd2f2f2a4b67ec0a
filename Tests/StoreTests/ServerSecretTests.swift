import TestSupport
import Store
import Testing

@Suite struct ServerSecretTests {
    @Test func generatedOnceAndStableAcrossReopen() throws {
        try withTemporaryDirectory { folder in
            let path = "\(folder)/quarry.db"
            let first = try Store(path: path).serverSecret(environment: nil)
            #expect(first.count == 32)
            #expect(first != [UInt8](repeating: 0, count: 32))
            let store = try Store(path: path)
            #expect(try store.serverSecret(environment: nil) == first)
            #expect(try store.serverSecret(environment: "") == first)  // empty means unset
            #expect(try store.setting("server_secret") == first)
        }
    }

    @Test func twoStoresOnOneFileShareTheGeneratedSecret() throws {
        try withTemporaryDirectory { folder in
            let a = try Store(path: "\(folder)/quarry.db")
            let b = try Store(path: "\(folder)/quarry.db")
            let fromB = try b.serverSecret(environment: nil)
            #expect(try a.serverSecret(environment: nil) == fromB)
        }
    }

    @Test func differentDatabasesGetDifferentSecrets() throws {
        try withTemporaryDirectory { folder in
            let a = try Store(path: "\(folder)/a.db").serverSecret(environment: nil)
            let b = try Store(path: "\(folder)/b.db").serverSecret(environment: nil)
            #expect(a != b)
        }
    }

    @Test(arguments: [
        String(repeating: "k", count: 32),
        "correct horse battery staple, 32+ bytes long",
        "ключ-ключ-ключ-ключ",  // 19 characters, 36 UTF-8 bytes
    ])
    func overrideIsUsedAndNotStored(secret: String) throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            #expect(try store.serverSecret(environment: secret) == Array(secret.utf8))
            #expect(try store.setting("server_secret") == nil)
        }
    }

    @Test(arguments: [
        ("a", 1),
        (String(repeating: "k", count: 31), 31),
        ("🔑🔑🔑🔑🔑🔑🔑", 28),  // 7 characters, 28 UTF-8 bytes
    ])
    func shortOverrideIsRejected(secret: String, byteCount: Int) throws {
        try withTemporaryDirectory { folder in
            let store = try Store(path: "\(folder)/quarry.db")
            let error = #expect(throws: StoreError.self) { try store.serverSecret(environment: secret) }
            #expect(error == .secretTooShort(byteCount: byteCount))
            let expected = "QUARRY_SECRET must be at least 32 bytes (it has \(byteCount))."
            #expect(error?.description.hasPrefix(expected) == true)
        }
    }
}
