// The storage of settings: small named values, among them the server secret every host must share (it signs
// sessions and stream names, so a page signed on one host is accepted by another). `Store` (SQLite) and
// `PostgresStore` implement it.
internal import Crypto

/// Named values kept in the database.
public protocol SettingsStorage: Sendable {
    /// The value stored under `key`, or nil.
    func setting(_ key: String) throws(StoreError) -> [UInt8]?

    /// Stores `value` under `key`, replacing any earlier value.
    func setSetting(_ key: String, _ value: [UInt8]) throws(StoreError)

    /// Stores `value` under `key` unless a value is stored there already, as one step (two hosts doing this at once
    /// both get the same value); the value stored under `key` afterwards.
    func settingKeepingFirst(_ key: String, _ value: [UInt8]) throws(StoreError) -> [UInt8]
}

/// The settings key the generated server secret is stored under.
let serverSecretKey = "server_secret"

extension SettingsStorage {
    /// The key that signs sessions and stream names.
    ///
    /// When `override` (the value of `QUARRY_SECRET`) is set and not empty, its UTF-8 bytes. Otherwise the secret
    /// stored in the database, made from 32 random bytes (`SecureRandom.bytes`) and stored the first time, so a
    /// restart keeps sessions and signed stream names valid. Every Store (every host) on the same database gets the
    /// same secret.
    /// - Throws: `.secretTooShort` for an override under `Store.minimumSecretLength` bytes; `.randomUnavailable`;
    ///   `.database` or `.postgres`.
    public func serverSecret(environment override: String?) throws(StoreError) -> [UInt8] {
        if let override, !override.isEmpty {
            let bytes = Array(override.utf8)
            guard bytes.count >= Store.minimumSecretLength else { throw .secretTooShort(byteCount: bytes.count) }
            return bytes
        }
        if let stored = try setting(serverSecretKey) { return stored }
        let fresh: [UInt8]
        do { fresh = try SecureRandom.bytes(Store.minimumSecretLength) } catch { throw .randomUnavailable }
        return try settingKeepingFirst(serverSecretKey, fresh)
    }
}

extension Store: SettingsStorage {}
extension PostgresStore: SettingsStorage {}
