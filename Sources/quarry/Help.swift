// What `quarry help` prints.

enum Help {
    static let version = "0.1.0"

    static let overview = """
        quarry \(version): ask your documents. A self-hosted chat server that streams answers with their sources.

        Usage:
          quarry [serve] [options]          serve the chat page and its socket (the default)
          quarry ask [options] QUESTION     answer a question in the terminal, with its sources
          quarry ingest [--db FILE] PATH…   read documents into the knowledge base (files and folders)
          quarry search [--db FILE] [--limit N] QUESTION
                                            show the passages a question finds, with their scores
          quarry backup [--db FILE] COPY    write a consistent copy of the database, even while serving
          quarry migrate [--db FILE] URL    copy a SQLite database into PostgreSQL, for several hosts
          quarry user add NAME [--admin] | passwd NAME | remove NAME | list
                                            the accounts people sign in with (their passwords asked for)
          quarry doctor [serve's options]   check what serve needs, each problem with its fix
          quarry version                    print the version
          quarry help [COMMAND]             print this help, or a command's options

        """

    /// The help for `topic` (a command), or the overview.
    static func text(_ topic: String?) -> String {
        switch topic {
        case "serve": serve
        case "ingest": ingest
        case "search": search
        case "ask": ask
        case "backup": backup
        case "migrate": migrate
        case "user": user
        case "doctor": doctor
        default: overview
        }
    }

    static let ingest = """
        Usage: quarry ingest [--db FILE] PATH…

        Reads PDF (.pdf, with poppler-utils installed), Word (.docx), OpenDocument text (.odt), EPUB (.epub), HTML
        (.html, .htm), Markdown (.md), reStructuredText (.rst) and text (.txt) files, and every such file in the
        folders given, into the knowledge base. Run it again at any time: unchanged files are skipped, changed ones
        replaced, and documents from those folders that are gone are removed. Files that cannot be read (a scan
        without text, an encrypted PDF, a damaged file) are listed with the reason, and tried again when they change.

          --db FILE    the SQLite database [QUARRY_DB, ./quarry.db]
          --config FILE  a settings file of QUARRY_…=value lines (as serve reads it), beneath the environment

        With QUARRY_EMBEDDINGS_MODEL set (and an endpoint: QUARRY_LLM_BASE_URL or an API key), new chunks also
        get embeddings, and search combines words with meaning.

        """

    /// The options `serve` and `ask` share: how questions are answered.
    static let answering = """
          --llm-base-url URL       an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama
                                   [QUARRY_LLM_BASE_URL; none: answers quote the documents' passages]
          --llm-model NAME         the model [QUARRY_LLM_MODEL, gpt-4o-mini]
          --max-answers N          answers generated at once; more wait their turn [QUARRY_MAX_ANSWERS, 4]
          --answer-timeout SECONDS the longest an answer may take [QUARRY_ANSWER_TIMEOUT, 300]
          The key is read from QUARRY_LLM_API_KEY or OPENAI_API_KEY only (never a flag, so it stays out of `ps`).
        """

    static let ask = """
        Usage: quarry ask [--db FILE] [options] QUESTION

        Answers a question from the knowledge base, as the chat page would: the steps on standard error, the
        answer on standard output as it arrives, then its sources. Exit status 0 when it completed, 1 when it
        failed, 130 when stopped with Ctrl-C.

          --db FILE                the SQLite database [QUARRY_DB, ./quarry.db]
          --config FILE            a settings file of QUARRY_…=value lines, beneath the environment
        \(answering)

        """

    static let doctor = """
        Usage: quarry doctor [the options of quarry serve]

        Checks, with the same options and environment as quarry serve, each line with what was found and, for a
        problem, what to do: the database (opens, passes its check, private), the documents folder (what it holds,
        the files that could not be read and why), the model (asked for a one-word answer, and how long it took),
        the embeddings endpoint, the port, the open-file limit against --max-connections, and free disk space.
        Exit status 0 when nothing is wrong (warnings included), 1 when something is.

        """

    static let backup = """
        Usage: quarry backup [--db FILE] COPY

        Writes a consistent copy of the database (conversations, documents, settings and the key that signs
        sessions) into the new file COPY, readable by its owner only. Quarry may go on serving meanwhile: the copy
        is one moment of the database, taken without stopping anyone's answer. COPY must not exist yet.

          --db FILE    the SQLite database [QUARRY_DB, ./quarry.db]
          --config FILE  a settings file of QUARRY_…=value lines (as serve reads it), beneath the environment

        To restore: stop Quarry, delete the database's -wal and -shm files, copy COPY over the database, start.

        """

    static let migrate = """
        Usage: quarry migrate [--db FILE] postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE

        Copies everything in the SQLite database into the PostgreSQL database, for a site moving to several hosts
        (docs/many-hosts.md): conversations, accounts, sign-ins, settings (with the key that signs sessions, so
        people stay signed in and links keep working) and the knowledge base with its embeddings (searchable in
        PostgreSQL at once: nothing is read or embedded again). The PostgreSQL database must be new, or hold no
        conversations, accounts or sign-ins; its tables are created. Stop quarry serve first: answers still
        streaming arrive as interrupted, with Retry. The SQLite file is only read.

          --db FILE    the SQLite database [QUARRY_DB, ./quarry.db]
          --config FILE  a settings file of QUARRY_…=value lines (as serve reads it), beneath the environment

        Then start every host with --db (or QUARRY_DB) set to the same postgresql:// URL.

        """

    static let user = """
        Usage: quarry user add NAME [--admin]
               quarry user passwd NAME
               quarry user remove NAME
               quarry user list

        The accounts people sign in with, kept in the database: add one (--admin: it may also use the admin
        pages), change its password, remove it, or list them (name, administrator or not, when added). An account
        works whatever --auth the server runs with; add an administrator before the first sign-in.

        NAME is 1 to 64 letters (a–z, A–Z), digits and . _ - @, starting with a letter or a digit, so an e-mail
        address serves; Ada and ada are the same account. The password (1 to 1024 bytes) is asked for twice, not
        shown, when standard input is a terminal; otherwise one line of standard input is the password:
          printf '%s\\n' "$PASSWORD" | quarry user add ada
        Only an argon2id hash of it is stored (docs/access.md).

          --db FILE    the SQLite database [QUARRY_DB, ./quarry.db]; add creates it if missing
          --config FILE  a settings file of QUARRY_…=value lines (as serve reads it), beneath the environment

        Exit status 0 when done, 1 when refused (the name is taken, there is no such user, the passwords differ
        or cannot be used), 64 when the command line or the name cannot be used.

        """

    static let search = """
        Usage: quarry search [--db FILE] [--limit N] QUESTION

        Prints the passages the question finds, best first, with their relevance and scores.

          --db FILE    the SQLite database [QUARRY_DB, ./quarry.db]
          --config FILE  a settings file of QUARRY_…=value lines (as serve reads it), beneath the environment
          --limit N    how many passages, 1 to 100 [8]

        The percentage is the share of the question's words the passage holds (averaged with its similarity
        in meaning when embeddings are on); it never rises down the list.

        """

    static let serve = """
        Usage: quarry serve [options]

        Every option can also be set in the environment (in brackets), or in a settings file of KEY=value lines
        given with --config (packaging/quarry.conf lists every setting); an option wins over the environment, which
        wins over the file.

          --host ADDRESS           address to listen on; 0.0.0.0 for every interface [QUARRY_HOST, 127.0.0.1]
          --port PORT              port to listen on [QUARRY_PORT, 8080]
          --db FILE                the SQLite database, created if missing, or a postgresql:// URL that several
                                   hosts share (docs/many-hosts.md); --database is the same [QUARRY_DB, ./quarry.db]
          --redis URL              with several hosts: the Redis their live updates go through, redis://HOST:PORT
                                   or unix:///PATH (docs/many-hosts.md) [QUARRY_REDIS, none]
          --docs FOLDER            folder of documents to answer from [QUARRY_DOCS]
          --log-level LEVEL        trace, debug, info, notice, warning, error or critical [QUARRY_LOG_LEVEL, info]
          --allowed-origin ORIGIN  another page origin allowed to open the socket, such as https://kiosk.example.org;
                                   repeat for more [QUARRY_ALLOWED_ORIGINS, comma-separated]
          --max-connections N      most browser connections at once [QUARRY_MAX_CONNECTIONS, 10000]
          --language CODE          the page's language for everyone: en, de, fr or es (a words file in
                                   Resources/words/); auto: each browser's own [QUARRY_LANGUAGE, auto]
          --kiosk                  kiosk mode, for a shared screen: no conversation list, large type, and a
                                   visitor's conversation cleared after QUARRY_KIOSK_IDLE seconds without a
                                   touch (a countdown first) [QUARRY_KIOSK, no]
          --auth MODE              who may ask: none (anyone; admins sign in at /sign-in for /admin), proxy (the
                                   person a reverse proxy in QUARRY_TRUSTED_PROXIES names), password (built-in
                                   accounts: quarry user add) or ldap (a bind against LDAP or Active Directory,
                                   below); docs/access.md [QUARRY_AUTH, none]
          --config FILE            a settings file of QUARRY_…=value lines, beneath the environment
        \(answering)

        Signing in against LDAP or Active Directory (--auth ldap; docs/access.md):
          QUARRY_LDAP_URL          the directory: ldap:// or ldaps:// addresses, space-separated, tried in turn
                                   [required]
          QUARRY_LDAP_STARTTLS     yes: upgrade an ldap:// connection with StartTLS before anything is sent [no]
          QUARRY_LDAP_CA_FILE      PEM certificates that sign the directory's [the system's]
          QUARRY_LDAP_USER_DN      bind at once as this DN, {name} the name typed (escaped):
                                   uid={name},ou=people,dc=example,dc=org
          QUARRY_LDAP_BASE         or search for the person under this DN, then bind as the entry found
          QUARRY_LDAP_USER_FILTER  the search's filter, {name} escaped; Active Directory: (sAMAccountName={name})
                                   [(uid={name})]
          QUARRY_LDAP_BIND_DN      the service account that searches and reads the admin group [anonymous]
          QUARRY_LDAP_BIND_PASSWORD_FILE  a file holding its password (or QUARRY_LDAP_BIND_PASSWORD)
          QUARRY_LDAP_ADMIN_GROUP  the DN of the group whose members (member, uniqueMember or memberUid) are
                                   admins [none]
          QUARRY_LDAP_TIMEOUT      seconds to connect, and for each answer of the directory [5]

        Environment only:
          QUARRY_SECRET            the secret that signs session cookies and stream names, at least 32 bytes;
                                   without it one is generated once and kept in the database
          QUARRY_DOCS_RESCAN       seconds between looks at the documents folder for changes [5]
          QUARRY_KIOSK_IDLE        kiosk: seconds without a touch before the conversation is cleared, the last
                                   quarter (at most 30) counted down on the screen; 10 to 86400 [120]
          QUARRY_AUTH_PROXY_USER_HEADER    proxy mode: the header naming the person [X-Forwarded-User]
          QUARRY_AUTH_PROXY_GROUPS_HEADER  proxy mode: the header listing their groups [X-Forwarded-Groups]
          QUARRY_AUTH_PROXY_ADMIN_GROUP    proxy mode: the group whose members get the admin pages [none]
          QUARRY_EMBEDDINGS_MODEL  an embeddings model (with QUARRY_LLM_BASE_URL or an API key): chunks get
                                   vectors and search combines words with meaning [none: words alone]
          QUARRY_QUESTIONS_PER_MINUTE  questions one browser session may ask per minute [10]
          QUARRY_UPDATE_INTERVAL_MS    how often a growing answer is sent to the page [100]
          QUARRY_RETENTION_DAYS        days an untouched conversation is kept; 0 keeps them forever [30]
          QUARRY_HOST_NAME             the name this host's answers are recorded under, unique among hosts
                                       sharing a database [local]
          QUARRY_LEASE                 seconds a host's claim on its answers lasts unless renewed; a host
                                       that stops renewing has its answers interrupted, with Retry [30]
          QUARRY_METRICS_ALLOW         addresses and networks (comma-separated: 10.0.0.5, 10.0.0.0/8) that
                                       may read GET /metrics, in Prometheus' text format (docs/metrics.md);
                                       off: no /metrics [127.0.0.0/8,::1: this machine only]

        Limits on what one client may take (every one, and what a visitor sees: docs/limits.md):
          QUARRY_QUESTIONS_PER_MINUTE_PER_PEER  questions a minute from one address [30]
          QUARRY_WAITING_ANSWERS_PER_SESSION    answers a session may have waiting besides the one running [1]
          QUARRY_ANSWERS_PER_PEER               answers running or waiting for one address [8]
          QUARRY_WAITING_ANSWERS                answers waiting in all [16]
          QUARRY_LLM_REQUESTS_PER_MINUTE        requests to the model a minute, in all; 0: no ceiling [60]
          QUARRY_MAX_QUESTION_BYTES             a question's size in bytes [16384]
          QUARRY_MAX_CONNECTIONS_PER_PEER       sockets from one address [64]
          QUARRY_MAX_PENDING_HEADERS_PER_PEER   connections from one address still sending headers [64]
          QUARRY_HEADER_DEADLINE                seconds to send a request's headers [5]
          QUARRY_SUBSCRIBE_GRACE                seconds a socket may follow nothing before it is closed [20]
          QUARRY_MAX_PARTIAL_BYTES_PER_PEER     bytes of half-received messages from one address [4194304]
          QUARRY_MAX_PARTIAL_BYTES              bytes of half-received messages, server-wide [33554432]
          QUARRY_SNAPSHOT_EXCHANGES             exchanges a conversation opens at, and per "earlier" [20]
          QUARRY_SNAPSHOTS_PER_SOCKET           snapshots one socket may have on their way [4]
          QUARRY_SNAPSHOT_BYTES_PER_MESSAGE     snapshot bytes that cost a socket one message [65536]
          QUARRY_TRUSTED_PROXIES                proxies (addresses, comma-separated) whose X-Forwarded-For and
                                                X-Forwarded-Proto are believed [none]

        SIGINT (Ctrl-C) or SIGTERM stops the server gracefully; a second one exits at once.

        """
}
