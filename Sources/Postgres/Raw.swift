// Every raw libpq call of this module lives in this file, and the dlopen that finds them.
//
// libpq is loaded the first time a PostgreSQL URL is parsed or a connection opened (`dlopen("libpq.so.5")`), not
// when the process starts: it links GSSAPI/Kerberos, OpenLDAP and OpenSSL, which a single-host Quarry (SQLite and the
// in-process Hub) has no use for, and a single-host install should need no new package. The binary does not link it;
// without it, parsing a URL or connecting throws `PostgresError` of kind `.unavailable`, naming libpq5.
//
// Threading rule (libpq is built thread-safe on Debian; `PQisthreadsafe`): a connection (`PGconn *`) and its results
// belong to one thread at a time; separate connections may be used on separate threads at once. `PostgresConnection`
// owns one `PGconn` and is not `Sendable`: one owner uses it, as with the SQLite wrapper. `PQconninfoParse` touches no
// connection and may be called from any thread. The function table is found once, in a Swift static.
//
// Every call here is synchronous: `PQconnectdbParams` (bounded by `connect_timeout`) and `PQexecParams`/`PQexec`
// (bounded by the server's `statement_timeout`). Notices (`NOTICE: … skipping`) would be printed on stderr by libpq's
// default notice processor; each connection gets one that drops them.
internal import CPostgres
internal import SharedLibrary
#if canImport(Glibc)
internal import Glibc
#endif

/// `void (*)(void *arg, const char *message)`: what libpq calls with a notice.
typealias NoticeProcessor = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void
/// `const char *const *`: the keyword and value arrays of `PQconnectdbParams`, the values of `PQexecParams`.
typealias CStrings = UnsafePointer<UnsafePointer<CChar>?>

/// libpq's functions, found once with `dlopen`/`dlsym`.
struct LibPQ: @unchecked Sendable {
    // @unchecked: immutable C function pointers.
    let conninfoParse: @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
        -> UnsafeMutablePointer<PQconninfoOption>?
    let conninfoFree: @convention(c) (UnsafeMutablePointer<PQconninfoOption>?) -> Void
    let freemem: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let connectdbParams: @convention(c) (CStrings?, CStrings?, Int32) -> OpaquePointer?
    let status: @convention(c) (OpaquePointer?) -> ConnStatusType
    let transactionStatus: @convention(c) (OpaquePointer?) -> PGTransactionStatusType
    let errorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let backendPID: @convention(c) (OpaquePointer?) -> Int32
    let finish: @convention(c) (OpaquePointer?) -> Void
    let setNoticeProcessor: @convention(c) (OpaquePointer?, NoticeProcessor?, UnsafeMutableRawPointer?) -> NoticeProcessor?
    let exec: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    let execParams: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, CStrings?,
                                    UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    let resultStatus: @convention(c) (OpaquePointer?) -> ExecStatusType
    let resultErrorField: @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<CChar>?
    let resultErrorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let clear: @convention(c) (OpaquePointer?) -> Void
    let ntuples: @convention(c) (OpaquePointer?) -> Int32
    let nfields: @convention(c) (OpaquePointer?) -> Int32
    let fname: @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<CChar>?
    let ftype: @convention(c) (OpaquePointer?, Int32) -> Oid
    let getisnull: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (OpaquePointer?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let getlength: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    let cmdTuples: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?

    /// libpq, loaded, or why not; Swift runs a static initializer exactly once.
    static let loaded: Result<LibPQ, PostgresError> = Result { () throws(PostgresError) in try LibPQ() }

    /// `dlopen`s libpq and finds every function this module calls.
    private init() throws(PostgresError) {
        let library: SharedLibrary
        do { library = try SharedLibrary("libpq.so.5") } catch {
            throw PostgresError(.unavailable, "libpq could not be loaded; install libpq5 to use PostgreSQL",
                                cause: error.reason)
        }
        func function<F>(_ name: String, as type: F.Type) throws(PostgresError) -> F {
            do { return try library.function(name, as: type) } catch {
                throw PostgresError(.unavailable, "libpq lacks a function Quarry needs", cause: error.reason)
            }
        }
        conninfoParse = try function("PQconninfoParse", as: (@convention(c) (
            UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
            -> UnsafeMutablePointer<PQconninfoOption>?).self)
        conninfoFree = try function("PQconninfoFree", as: (@convention(c) (UnsafeMutablePointer<PQconninfoOption>?)
                                                             -> Void).self)
        freemem = try function("PQfreemem", as: (@convention(c) (UnsafeMutableRawPointer?) -> Void).self)
        connectdbParams = try function("PQconnectdbParams", as: (@convention(c) (CStrings?, CStrings?, Int32)
                                                                   -> OpaquePointer?).self)
        status = try function("PQstatus", as: (@convention(c) (OpaquePointer?) -> ConnStatusType).self)
        transactionStatus = try function("PQtransactionStatus", as: (@convention(c) (OpaquePointer?)
                                                                       -> PGTransactionStatusType).self)
        errorMessage = try function("PQerrorMessage", as: (@convention(c) (OpaquePointer?)
                                                             -> UnsafeMutablePointer<CChar>?).self)
        backendPID = try function("PQbackendPID", as: (@convention(c) (OpaquePointer?) -> Int32).self)
        finish = try function("PQfinish", as: (@convention(c) (OpaquePointer?) -> Void).self)
        clear = try function("PQclear", as: type(of: finish))
        setNoticeProcessor = try function("PQsetNoticeProcessor", as: (@convention(c) (
            OpaquePointer?, NoticeProcessor?, UnsafeMutableRawPointer?) -> NoticeProcessor?).self)
        exec = try function("PQexec", as: (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?)
                                             -> OpaquePointer?).self)
        execParams = try function("PQexecParams", as: (@convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, CStrings?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?, Int32) -> OpaquePointer?).self)
        resultStatus = try function("PQresultStatus", as: (@convention(c) (OpaquePointer?) -> ExecStatusType).self)
        resultErrorField = try function("PQresultErrorField", as: (@convention(c) (OpaquePointer?, Int32)
                                                                     -> UnsafeMutablePointer<CChar>?).self)
        resultErrorMessage = try function("PQresultErrorMessage", as: type(of: errorMessage))
        cmdTuples = try function("PQcmdTuples", as: type(of: errorMessage))
        ntuples = try function("PQntuples", as: type(of: backendPID))
        nfields = try function("PQnfields", as: type(of: backendPID))
        fname = try function("PQfname", as: type(of: resultErrorField))
        ftype = try function("PQftype", as: (@convention(c) (OpaquePointer?, Int32) -> Oid).self)
        getisnull = try function("PQgetisnull", as: (@convention(c) (OpaquePointer?, Int32, Int32) -> Int32).self)
        getlength = try function("PQgetlength", as: type(of: getisnull))
        getvalue = try function("PQgetvalue", as: (@convention(c) (OpaquePointer?, Int32, Int32)
                                                     -> UnsafeMutablePointer<CChar>?).self)
    }

    /// The keywords and values libpq reads from `conninfo` (a URL or `key=value` text), with no defaults filled in
    /// (`PQconninfoParse`), or libpq's reason it cannot.
    static func parse(_ conninfo: String) throws(PostgresError) -> Result<[String: String], ConnInfoMistake> {
        let pq = try loaded.get()
        var reason: UnsafeMutablePointer<CChar>?
        guard let options = pq.conninfoParse(conninfo, &reason) else {
            defer { pq.freemem(reason) }
            return .failure(ConnInfoMistake(reason: reason.map { String(cString: $0) } ?? "out of memory"))
        }
        defer { pq.conninfoFree(options) }
        var found: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {  // the array ends with a null keyword
            if let value = option.pointee.val { found[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return .success(found)
    }
}

/// libpq's reason a connection string cannot be parsed.
struct ConnInfoMistake: Error { let reason: String }

/// Drops a notice (see the file's header).
private func dropNotice(_ argument: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {}

/// One connection to a server: the `PGconn`, finished (`PQfinish`) in `deinit`.
final class PGConnection {
    private let pq: LibPQ
    private let handle: OpaquePointer

    /// Connects with `parameters` in order (`PQconnectdbParams` with `expand_dbname`: a `dbname` holding a URL is
    /// expanded in place, so parameters before it are defaults the URL may override and those after it win).
    /// - Throws: `.connection` with libpq's message as the cause.
    init(_ parameters: [(String, String)], describe: (String) -> PostgresError) throws(PostgresError) {
        let pq = try LibPQ.loaded.get()
        self.pq = pq
        let keywords = parameters.map { strdup($0.0) }, values = parameters.map { strdup($0.1) }
        defer { for pointer in keywords + values { free(pointer) } }
        let made = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keys in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { values in
                pq.connectdbParams(keys.baseAddress, values.baseAddress, 1)
            }
        }
        guard let made else { throw describe("out of memory") }
        handle = made
        // From here on a throw still runs `deinit`, which finishes the handle (a failed attempt must be finished too).
        guard pq.status(handle) == CONNECTION_OK else { throw describe(lastError) }
        _ = pq.setNoticeProcessor(handle, dropNotice, nil)
    }

    deinit { pq.finish(handle) }

    /// Whether the connection is up as far as libpq knows (`PQstatus` is `CONNECTION_OK`; no round trip).
    var isUp: Bool { pq.status(handle) == CONNECTION_OK }

    /// Whether a transaction is open, or failed and not yet rolled back (`PQtransactionStatus`).
    var isInTransaction: Bool {
        let status = pq.transactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The server process serving this connection (`PQbackendPID`).
    var backendPID: Int32 { pq.backendPID(handle) }

    /// libpq's last message on this connection (`PQerrorMessage`).
    var lastError: String { pq.errorMessage(handle).map { String(cString: $0) } ?? "" }

    /// Runs `sql`, one or more statements without parameters, in the simple query protocol (`PQexec`).
    func execute(_ sql: String) throws(StatementFailure) {
        _ = try outcome(pq.exec(handle, sql))
    }

    /// Runs one statement with `parameters` (`PQexecParams`; each parameter a type OID, a format and its bytes: a
    /// text parameter's bytes end with a NUL), results asked for as text. Its rows and the number of rows it changed.
    func run(_ sql: String, _ parameters: [Parameter?]) throws(StatementFailure) -> (rows: [PostgresRow], changed: Int) {
        // All parameter bytes in one buffer, so one pointer stays valid for every value during the call.
        var buffer: [UInt8] = [], offsets: [Int] = []
        for parameter in parameters {
            offsets.append(buffer.count)
            buffer += parameter?.bytes ?? []
        }
        buffer.append(0)  // so every pointer, even an empty value's at the end, points into the buffer
        let types = parameters.map { $0?.type ?? 0 }
        let lengths = parameters.map { Int32($0?.bytes.count ?? 0) }
        let formats = parameters.map { Int32($0?.isBinary == true ? 1 : 0) }
        let result = buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            let values: [UnsafePointer<CChar>?] = parameters.indices.map { index in
                parameters[index] == nil ? nil : (base + offsets[index]).assumingMemoryBound(to: CChar.self)
            }
            return pq.execParams(handle, sql, Int32(parameters.count), types, values, lengths, formats, 0)
        }
        return try outcome(result)
    }

    /// The rows of a finished statement and how many rows it changed (`PQcmdTuples`), or its failure; clears it.
    private func outcome(_ result: OpaquePointer?) throws(StatementFailure) -> (rows: [PostgresRow], changed: Int) {
        guard let result else {
            throw StatementFailure(sqlState: nil, message: lastError, detail: nil, connectionLost: !isUp)
        }
        defer { pq.clear(result) }
        let status = pq.resultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            func field(_ code: Int32) -> String? { pq.resultErrorField(result, code).map { String(cString: $0) } }
            let message = field(quarry_pg_diag_message_primary())
                ?? pq.resultErrorMessage(result).map { String(cString: $0) } ?? lastError
            throw StatementFailure(sqlState: field(quarry_pg_diag_sqlstate()), message: message,
                                   detail: field(quarry_pg_diag_message_detail()), connectionLost: !isUp)
        }
        let changed = pq.cmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        let count = pq.ntuples(result), width = pq.nfields(result)
        guard width > 0 else { return ([], changed) }
        let names = (0..<width).map { pq.fname(result, $0).map { String(cString: $0) } ?? "" }
        let types = (0..<width).map { pq.ftype(result, $0) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
            let values = (0..<width).map { column -> PostgresValue in
                guard pq.getisnull(result, row, column) == 0 else { return .null }
                let text = UnsafeRawBufferPointer(start: pq.getvalue(result, row, column),
                                                  count: Int(pq.getlength(result, row, column)))
                return PostgresValue(type: types[Int(column)], text: text)
            }
            rows.append(PostgresRow(columnNames: names, values: values))
        }
        return (rows, changed)
    }
}

/// A statement's failure as the server (or libpq) reported it, before `PostgresConnection` words it.
struct StatementFailure: Error {
    let sqlState: String?
    let message: String
    let detail: String?
    /// `PQstatus` was `CONNECTION_BAD` afterwards: the connection is gone.
    let connectionLost: Bool
}
