// swift-tools-version: 6.0
//
// Quarry: one Swift binary that answers questions about your documents and streams the answer into the page.
// Layering (a module imports only those above it in this list):
//   C system libraries (CWebSockets, CCurl, CSQLite, CMarkGFM, COpenSSL, CZlib, CXML2, CZip, CArgon2, CLDAP, CHiredis,
//   CPostgres) + CShim
//   (variadic curl, the WebSocket mask check)
//   SharedLibrary (dlopen: libcurl, libxml2, libzip, libldap, libhiredis and libpq are loaded when first needed, not
//   linked)
//   thin wrappers, one per C library (Server wraps libwebsockets): Crypto, SQLite, Markdown, Curl, Gzip, XML, Zip,
//   Argon2, LDAP (with the directory sign-in it serves), Redis (pub/sub across hosts), Postgres (storage across
//   hosts)
//   TextLines, TurboStream, Words, Telemetry (pure Swift) → Contracts → Store → Server | Chat, Admin → quarry
//   (the executable: the one place Server meets Chat and Admin, which know only Contracts)
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// `QUARRY_FUZZ=1 swift build -c release --product quarry-fuzz` (what tools/bench/fuzz runs): the modules whose
/// parsers are fuzzed are compiled with libFuzzer's coverage, and quarry-fuzz is linked with libFuzzer. Only
/// quarry-fuzz links in such a build; the front end's generator, which the build runs, stays uninstrumented.
let fuzzing = Context.environment["QUARRY_FUZZ"] != nil
let fuzzedSwiftSettings = swiftSettings + (fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"]), .define("QUARRY_FUZZ")] : [])

/// A Debian system library found through pkg-config, with the package that provides it.
func systemLibrary(_ name: String, pkgConfig: String, apt: [String]) -> Target {
    .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt(apt)])
}

/// How `quarry` is linked, for a smaller resident footprint (docs/performance.md, "Reading the figures"): lld with
/// packed relative relocations (DT_RELR, glibc 2.36 and later: Debian 12, Raspberry Pi OS 12). Gold writes the
/// binary's 30,000 relative relocations as 24-byte RELA entries, 716 KiB that the loader reads at every start; RELR
/// packs them into 6 KiB.
let footprintLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"]),
]

let package = Package(
    name: "Quarry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quarry", targets: ["quarry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Metrics in Prometheus' text format; no Foundation (docs/metrics.md says why it, and what it costs).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries (module map + shim header only)
        systemLibrary("CWebSockets", pkgConfig: "libwebsockets", apt: ["libwebsockets-dev"]),
        // Headers only: the Curl module loads libcurl with dlopen when a transfer first needs it (LibCurl.swift), so
        // neither the module map nor pkg-config links it.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        systemLibrary("CSQLite", pkgConfig: "sqlite3", apt: ["libsqlite3-dev"]),
        // No pkg-config here: its `-lcmark-gfm` would pull in the shared library ahead of the static archives that
        // the module map links (the shared one's soname carries the full version; a Debian upgrade would break us).
        .systemLibrary(name: "CMarkGFM", providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        systemLibrary("COpenSSL", pkgConfig: "libcrypto", apt: ["libssl-dev"]),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: ["zlib1g-dev"]),
        // Headers only, as CCurl: XML and Zip load their libraries with dlopen when a document first needs them
        // (their Raw.swift). libxml2's headers live in /usr/include/libxml2, which the XML target names itself.
        .systemLibrary(name: "CXML2", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZip", providers: [.apt(["libzip-dev"])]),
        // Headers only, as CCurl: LDAP loads libldap with dlopen at the first sign-in (its Raw.swift says why).
        .systemLibrary(name: "CLDAP", providers: [.apt(["libldap-dev"])]),
        // Headers only, as CCurl: Redis loads libhiredis with dlopen at the first connection (its Raw.swift says why).
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // Headers only, as CCurl: Postgres loads libpq with dlopen at the first connection (its Raw.swift says why).
        // The shim includes <postgresql/libpq-fe.h>, Debian's path.
        .systemLibrary(name: "CPostgres", providers: [.apt(["libpq-dev"])]),
        // Linked: small, and nothing behind it (Sources/Argon2/Raw.swift says what it costs an idle server).
        systemLibrary("CArgon2", pkgConfig: "libargon2", apt: ["libargon2-dev"]),
        // The one C target: what Swift cannot call (curl_easy_setopt and curl_easy_getinfo are variadic), and the
        // `recv` that refuses unmasked WebSocket frames before libwebsockets reads them (Server links it).
        .target(name: "CShim", dependencies: ["CCurl"]),

        // MARK: The one lock every module shares
        .target(name: "Locking", swiftSettings: swiftSettings),
        // The metrics registry and /metrics' text: the one module that imports swift-prometheus.
        .target(name: "Telemetry", dependencies: ["Locking", .product(name: "Prometheus", package: "swift-prometheus")],
                swiftSettings: swiftSettings),

        // MARK: Opening a C library when first needed (dlopen), for the wrappers of libcurl, libxml2, libzip, libldap, libpq
        .target(name: "SharedLibrary", swiftSettings: swiftSettings),

        // MARK: Thin wrappers, one per C library
        .target(name: "Crypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: swiftSettings),
        .target(name: "Markdown", dependencies: ["CMarkGFM", "Locking"], swiftSettings: fuzzedSwiftSettings),
        .target(name: "Curl", dependencies: ["CCurl", "CShim", "Locking", "SharedLibrary"], swiftSettings: swiftSettings),
        .target(name: "Gzip", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        .target(name: "XML", dependencies: ["CXML2", "SharedLibrary"],
                swiftSettings: fuzzedSwiftSettings + [.unsafeFlags(["-Xcc", "-I/usr/include/libxml2"])]),
        .target(name: "Zip", dependencies: ["CZip", "SharedLibrary"], swiftSettings: fuzzedSwiftSettings),
        .target(name: "Argon2", dependencies: ["CArgon2", "Crypto"], swiftSettings: swiftSettings),
        .target(name: "LDAP", dependencies: ["CLDAP", "SharedLibrary", "TextLines"], swiftSettings: swiftSettings),
        // Broadcasts across hosts (docs/many-hosts.md): commands, PUBLISH, and a subscriber service with its own thread.
        .target(name: "Redis", dependencies: ["CHiredis", "SharedLibrary", "Locking"], swiftSettings: swiftSettings),
        // Not yet used by Store or `quarry serve`: the base of storage across hosts (docs/postgres.md).
        .target(name: "Postgres", dependencies: ["CPostgres", "SharedLibrary"], swiftSettings: swiftSettings),

        // MARK: Quarry's own modules (pure Swift)
        .target(name: "JSON", swiftSettings: fuzzedSwiftSettings),
        .target(name: "TurboStream", swiftSettings: swiftSettings),
        // The words files' format apart from their contents: the front end's generator reads it too (a target a
        // build tool depends on is built for the host without its plugins' output, so it cannot be Words).
        .target(name: "TextLines", swiftSettings: swiftSettings),
        .target(name: "WordsFormat", dependencies: ["TextLines"], swiftSettings: swiftSettings),
        .target(name: "Words", dependencies: ["WordsFormat"], swiftSettings: swiftSettings, plugins: ["WordsGenerator"]),
        // What the server and the layers it serves agree on (socket ops and clients, snapshots, the Broadcaster,
        // reading and admin pages): Chat and Admin are written against it, not against Server, so a broadcaster other
        // than the Hub links no libwebsockets. Pure Swift, no C library.
        .target(name: "Contracts", dependencies: ["TurboStream", "Words"], swiftSettings: swiftSettings),
        .target(name: "LLM", dependencies: ["Curl", "JSON", "Locking", "TextLines"], swiftSettings: fuzzedSwiftSettings),
        // Broadcasts across hosts: a Broadcaster publishing through Redis and relaying every host's frames into this
        // host's Hub (through Contracts' LocalStreams, so no libwebsockets here), and answers in progress kept there.
        .target(
            name: "Relay",
            dependencies: ["Contracts", "Redis", "Locking", "TurboStream", "Telemetry",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Store",
            dependencies: ["SQLite", "Postgres", "Crypto", "Locking", "Argon2"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Server",
            dependencies: [
                "CWebSockets", "CShim", "Contracts", "Crypto", "Gzip", "JSON", "Locking", "TextLines", "TurboStream",
                "Words", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: fuzzedSwiftSettings,
            plugins: ["FrontEndGenerator"]
        ),
        .target(
            name: "Retrieval",
            dependencies: ["Store", "SQLite", "LLM", "Locking", "Crypto", "XML", "Zip", "Markdown"],
            swiftSettings: fuzzedSwiftSettings
        ),
        .target(
            name: "Chat",
            dependencies: [
                "Store", "Retrieval", "LLM", "Markdown", "TurboStream", "Contracts", "Locking", "TextLines", "Words",
                "Telemetry",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Admin",
            dependencies: [
                "Contracts", "Store", "Retrieval", "TurboStream", "Words", "Locking",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "quarry",
            dependencies: [
                "Admin", "Chat", "Contracts", "CShim", "Server", "Store", "SQLite", "Retrieval", "LLM", "Curl", "Locking",
                "Markdown", "TextLines", "Words", "Telemetry", "Argon2", "LDAP", "Postgres", "Redis", "Relay",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: footprintLinkerSettings
        ),

        // MARK: The front end, generated from Resources/ at build time
        // What the generators share (reading and writing files, Swift literals).
        .target(name: "GeneratorSupport", path: "tools/generator-support", swiftSettings: swiftSettings),
        .executableTarget(
            name: "quarry-frontend",
            dependencies: ["TurboStream", "Crypto", "Gzip", "WordsFormat", "GeneratorSupport"],
            path: "tools/frontend",
            swiftSettings: swiftSettings
        ),
        .plugin(name: "FrontEndGenerator", capability: .buildTool(), dependencies: ["quarry-frontend"]),

        // MARK: The page's words, one file per language in Resources/words/, built into the Words module
        .executableTarget(name: "quarry-words", dependencies: ["GeneratorSupport"], path: "tools/words",
                          swiftSettings: swiftSettings),
        .plugin(name: "WordsGenerator", capability: .buildTool(), dependencies: ["quarry-words"]),

        .executableTarget(
            name: "quarry-llm-bench",
            dependencies: ["LLM", "Curl", "Locking"],
            path: "tools/bench/llm",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "quarry-retrieval-bench",
            dependencies: ["Retrieval", "Store", "LLM", "Curl", "JSON", "StandIn"],
            path: "tools/bench/retrieval-bench",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "quarry-retrieval-postgres-bench",
            dependencies: ["Retrieval", "Store", "Postgres", "JSON", "TestSupport"],
            path: "tools/bench/retrieval-postgres-bench",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "quarry-chunker-bench",
            dependencies: ["Retrieval"],
            path: "tools/bench/chunker",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "quarry-chat-seed",
            dependencies: ["Markdown", "JSON"],
            path: "tools/bench/chat-seed",
            swiftSettings: swiftSettings
        ),

        // MARK: Test harness: the real server and page, with envelopes published from a test's commands
        .executableTarget(
            name: "quarry-page-server",
            dependencies: ["Server", "Contracts", "Crypto", "JSON", "Locking", "TurboStream",
                           .product(name: "Logging", package: "swift-log")],
            path: "tools/testing/page-server",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "quarry-stream-fixtures",
            dependencies: ["Chat", "Contracts", "Markdown", "TurboStream", "Store", "JSON"],
            path: "tools/testing/stream-fixtures",
            swiftSettings: swiftSettings
        ),

        // MARK: The stand-in OpenAI-compatible server, for tests and benchmarks (tools/standin)
        .target(name: "StandIn", dependencies: ["JSON", "Locking"], path: "tools/standin/StandIn", swiftSettings: swiftSettings),
        .executableTarget(
            name: "quarry-standin",
            dependencies: ["StandIn"],
            path: "tools/standin/quarry-standin",
            swiftSettings: swiftSettings
        ),

        // MARK: Benchmarks (tools/bench): a server that publishes through the real Hub on command
        .executableTarget(
            name: "quarry-socket-bench",
            dependencies: ["Server", "Contracts", "TurboStream"],
            path: "tools/bench/socket-server",
            swiftSettings: swiftSettings
        ),

        // MARK: Fuzzing (tools/fuzz): the parsers of hostile input under libFuzzer, and the replay of what it found
        .target(
            name: "FuzzHarness",
            dependencies: ["JSON", "LLM", "Server", "Gzip", "Markdown", "Retrieval"],
            path: "tools/fuzz/Harness",
            swiftSettings: fuzzedSwiftSettings
        ),
        .executableTarget(
            name: "quarry-fuzz",
            dependencies: ["FuzzHarness", "TestSupport"],
            path: "tools/fuzz/quarry-fuzz",
            swiftSettings: fuzzedSwiftSettings,
            linkerSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"])] : []
        ),

        // MARK: Tests
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: swiftSettings),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MarkdownTests", dependencies: ["Markdown"], swiftSettings: swiftSettings),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "Locking"], swiftSettings: swiftSettings),
        .testTarget(name: "GzipTests", dependencies: ["Gzip"], swiftSettings: swiftSettings),
        .testTarget(name: "XMLTests", dependencies: ["XML"], swiftSettings: swiftSettings),
        .testTarget(name: "Argon2Tests", dependencies: ["Argon2"], swiftSettings: swiftSettings),
        .testTarget(name: "LDAPTests", dependencies: ["LDAP", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "Locking", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "Redis", "Contracts", "Locking", "Telemetry", "TurboStream",
                                                      "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ZipTests", dependencies: ["Zip", "TestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: swiftSettings),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"], swiftSettings: swiftSettings),
        .testTarget(name: "TurboStreamTests", dependencies: ["TurboStream"], swiftSettings: swiftSettings),
        .testTarget(name: "WordsTests", dependencies: ["Words", "WordsFormat"], swiftSettings: swiftSettings),
        .testTarget(name: "LLMTests", dependencies: ["LLM", "StandIn", "JSON", "Curl"], swiftSettings: swiftSettings),
        .testTarget(name: "StandInTests", dependencies: ["StandIn", "JSON", "Locking"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RetrievalTests", dependencies: ["Retrieval", "Store", "SQLite", "Locking", "TestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Argon2", "TestSupport"], swiftSettings: swiftSettings),
        // The storage protocols' behaviour, each test run on both implementations: SQLite and PostgreSQL.
        .testTarget(name: "StorageTests", dependencies: ["Store", "Postgres", "Locking", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzHarness", "TestSupport"], exclude: ["Crashes"],
                    swiftSettings: swiftSettings),
        .testTarget(
            name: "ChatTests",
            // Server only for the real StreamNames, the signer the chat is given in the executable.
            dependencies: ["Chat", "Contracts", "Store", "SQLite", "Retrieval", "LLM", "Markdown", "TurboStream", "Server",
                           "StandIn", "Curl", "Locking", "TestSupport", "Words", "Telemetry"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "Contracts", "Crypto", "Gzip", "Locking", "TextLines", "TurboStream", "Words", "Telemetry"],
            swiftSettings: swiftSettings
        ),
    ]
)
