// What `quarry help` prints.

enum Help {
    static let version = "0.1.0"

    static let overview = """
        quarry \(version): ask your documents. A self-hosted chat server that streams answers with their sources.

        Usage:
          quarry [serve] [options]   serve the chat page and its socket (the default)
          quarry version             print the version
          quarry help [serve]        print this help, or the options of serve

        """

    static let serve = """
        Usage: quarry serve [options]

        Every option can also be set in the environment (in brackets); the option wins.

          --host ADDRESS           address to listen on; 0.0.0.0 for every interface [QUARRY_HOST, 127.0.0.1]
          --port PORT              port to listen on [QUARRY_PORT, 8080]
          --db FILE                the SQLite database, created if missing [QUARRY_DB, ./quarry.db]
          --docs FOLDER            folder of documents to answer from [QUARRY_DOCS]
          --log-level LEVEL        trace, debug, info, notice, warning, error or critical [QUARRY_LOG_LEVEL, info]
          --allowed-origin ORIGIN  another page origin allowed to open the socket, such as https://kiosk.example.org;
                                   repeat for more [QUARRY_ALLOWED_ORIGINS, comma-separated]
          --max-connections N      most browser connections at once [QUARRY_MAX_CONNECTIONS, 10000]

        QUARRY_SECRET (environment only): the secret that signs session cookies and stream names, at least 32
        bytes; without it one is generated once and kept in the database.

        SIGINT (Ctrl-C) or SIGTERM stops the server gracefully; a second one exits at once.

        """
}
