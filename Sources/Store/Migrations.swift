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
        Migration("create conversations and the knowledge base", sql: """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY NOT NULL,
                created_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL
            );
            CREATE TABLE threads (
                id INTEGER PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX threads_by_session ON threads(session_id, updated_at DESC);
            CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
                content TEXT NOT NULL DEFAULT '',
                thinking TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL CHECK (status IN ('streaming', 'complete', 'error', 'interrupted', 'stopped')),
                model TEXT,
                error TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX messages_by_thread ON messages(thread_id, id);
            CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';
            CREATE TABLE documents (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                size INTEGER NOT NULL,
                modified_at INTEGER NOT NULL,
                ingested_at INTEGER NOT NULL
            );
            CREATE TABLE chunks (
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                heading_path TEXT NOT NULL,
                text TEXT NOT NULL,
                embedding BLOB,
                embedding_model TEXT,
                UNIQUE (document_id, ordinal)
            );
            CREATE INDEX chunks_by_embedding_model ON chunks(embedding_model);
            -- Contentless: the text lives in chunks (and the title in documents); rowid = chunks.id. Rows are
            -- removed with the 'delete' command and their original values.
            CREATE VIRTUAL TABLE chunks_fts USING fts5(
                title, headings, body, content = '', tokenize = 'porter unicode61 remove_diacritics 2'
            );
            CREATE TABLE message_sources (
                message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                rank INTEGER NOT NULL,
                chunk_id INTEGER REFERENCES chunks(id) ON DELETE SET NULL,
                document_title TEXT NOT NULL,
                heading_path TEXT NOT NULL,
                excerpt TEXT NOT NULL,
                score REAL NOT NULL,
                distance REAL,
                relevance INTEGER NOT NULL,
                PRIMARY KEY (message_id, rank)
            );
            -- One row: bumped by every change to documents, chunks or embeddings, so that what is cached from them
            -- (word frequencies, the vectors) is kept until the knowledge base changes, not until any write.
            CREATE TABLE knowledge_base (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                generation INTEGER NOT NULL
            );
            INSERT INTO knowledge_base (id, generation) VALUES (1, 0);
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY,
                message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            """),
        Migration("pages of chunks and sources; documents that could not be read", sql: """
            -- The pages a chunk's text is on, in documents that have pages (1 is the file's first page); NULL elsewhere.
            ALTER TABLE chunks ADD COLUMN first_page INTEGER;
            ALTER TABLE chunks ADD COLUMN last_page INTEGER;
            -- A copy, so a source keeps its page after its document is read again.
            ALTER TABLE message_sources ADD COLUMN first_page INTEGER;
            ALTER TABLE message_sources ADD COLUMN last_page INTEGER;
            -- Why the file could not be read (one line for people); NULL when it was read. A failed file is read
            -- again only when it changes.
            ALTER TABLE documents ADD COLUMN failure TEXT;
            """),
        Migration("full-text index merges less often", sql: """
            -- FTS5 merges a level's segments once it has this many (default 4). At 16, ingestion spends about a
            -- sixth less time indexing (docs/retrieval.md); a search reads a few more segments.
            INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('automerge', 16);
            """),
        Migration("finished answers' rendered text is kept", sql: """
            -- An ended answer's text as HTML, rendered once and kept, so a thread's snapshot does not render Markdown
            -- again: NULL until first needed (filled lazily, also for answers older than this column), emptied
            -- whenever the text changes (a retry, an answer's end). Used only when content_html_renderer matches
            -- the running renderer's fingerprint, so a Quarry whose Markdown renders differently renders anew.
            ALTER TABLE messages ADD COLUMN content_html TEXT;
            ALTER TABLE messages ADD COLUMN content_html_renderer INTEGER;
            """),
        Migration("built-in accounts", sql: """
            -- People who sign in with a password (`quarry user`; docs/access.md). A name is 1 to 64 ASCII letters,
            -- digits and . _ - @ (Store+Users.swift checks it), so NOCASE, which folds ASCII only, makes names
            -- unique whatever their case and finds them so; the name keeps the case it was added with.
            -- password_hash: argon2id's PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                password_hash TEXT NOT NULL,
                is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            """),
        Migration("sign-ins", sql: """
            -- A browser session signed in (password or LDAP mode); it ends on sign-out, after 30 days, and for a
            -- built-in account (user_id) when the account is removed or its password changed (Store+SignIns.swift).
            -- name and is_admin are as the sign-in found them; a built-in account's current ones are read through
            -- user_id.
            CREATE TABLE sign_ins (
                session_id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
                user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX sign_ins_by_user ON sign_ins(user_id);
            """),
        Migration("jobs name their host and its lease", sql: """
            -- The host that queued or runs the job (JobHost: "local" with SQLite) and until when its claim holds, in
            -- seconds since 1970; NULL for jobs from before (a restarted host takes those back as its own).
            ALTER TABLE jobs ADD COLUMN host TEXT;
            ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
            CREATE INDEX jobs_unfinished ON jobs(lease_until) WHERE state IN ('queued', 'running');
            """),
        Migration("chunks without an embedding are not indexed by model", sql: """
            -- A chunk's embedding_model stays NULL until an embedding model is set (most sites never set one), and
            -- indexing every new chunk's NULL took about 4 % of the storing thread's time while ingesting. Chunks are
            -- looked up by a model (embedding_model = ?), which implies NOT NULL, so the partial index still serves.
            DROP INDEX chunks_by_embedding_model;
            CREATE INDEX chunks_by_embedding_model ON chunks(embedding_model) WHERE embedding_model IS NOT NULL;
            """),
    ]

    static let migrator = Migrator(migrations)
}
