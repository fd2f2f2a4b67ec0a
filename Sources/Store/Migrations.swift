public import SQLite

extension Store {
    /// Quarry's schema history, oldest first. Append new migrations at the end; never edit or reorder one that
    /// has shipped, since databases in the field record how many they have had (`PRAGMA user_version`).
    public static let migrations: [Migration] = [
        Migration("create settings", sql: """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY NOT NULL, -- NOT NULL: a rowid table's primary key would accept NULL
                value BLOB NOT NULL
            )
            """),
    ]

    static let migrator = Migrator(migrations)
}
