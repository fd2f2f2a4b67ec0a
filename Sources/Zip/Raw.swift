// Every raw libzip call of this module lives in this file, and the dlopen that finds them.
//
// libzip is loaded the first time an archive is opened (`dlopen("libzip.so.4")`), not when the process starts: with
// libbz2 and libzstd, which it links, it keeps pages resident in a server that reads no Word, OpenDocument or EPUB
// file (docs/performance.md). The binary does not link it; the Debian package depends on libzip4 by name
// (tools/package). Without it, opening an archive throws `ZipError.unavailable`.
//
// Threading rule (libzip 1.7): an archive handle and the files opened from it belong to one thread at a time;
// separate archives may be used on separate threads. `ZipArchive` is not `Sendable`.
//
// The archive is read from memory (`zip_source_buffer_create` over bytes this module owns for the archive's
// lifetime), never from a path, so what is read is exactly what was hashed. Entries are read through `zip_fread` in
// pieces, counting what comes out: the sizes an archive declares can lie, so the limits are enforced on the bytes
// actually inflated.
internal import CZip
internal import SharedLibrary

/// libzip's functions, found once with `dlopen`/`dlsym`.
struct LibZip: @unchecked Sendable {
    // @unchecked: immutable C function pointers.
    let errorInit: @convention(c) (UnsafeMutablePointer<zip_error_t>?) -> Void
    let errorFini: @convention(c) (UnsafeMutablePointer<zip_error_t>?) -> Void
    let errorStrerror: @convention(c) (UnsafeMutablePointer<zip_error_t>?) -> UnsafePointer<CChar>?
    let errorCodeZip: @convention(c) (UnsafePointer<zip_error_t>?) -> Int32
    let sourceBufferCreate: @convention(c) (UnsafeRawPointer?, zip_uint64_t, Int32, UnsafeMutablePointer<zip_error_t>?)
        -> OpaquePointer?
    let sourceFree: @convention(c) (OpaquePointer?) -> Void
    let openFromSource: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<zip_error_t>?) -> OpaquePointer?
    let discard: @convention(c) (OpaquePointer?) -> Void
    let getNumEntries: @convention(c) (OpaquePointer?, zip_flags_t) -> zip_int64_t
    let statInit: @convention(c) (UnsafeMutablePointer<zip_stat_t>?) -> Void
    let statIndex: @convention(c) (OpaquePointer?, zip_uint64_t, zip_flags_t, UnsafeMutablePointer<zip_stat_t>?) -> Int32
    let fopenIndex: @convention(c) (OpaquePointer?, zip_uint64_t, zip_flags_t) -> OpaquePointer?
    let getError: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<zip_error_t>?
    let fclose: @convention(c) (OpaquePointer?) -> Int32
    let fread: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, zip_uint64_t) -> zip_int64_t
    let fileGetError: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<zip_error_t>?

    /// libzip, loaded, or why not; Swift runs a static initializer exactly once.
    static let loaded: Result<LibZip, ZipError> = Result { () throws(ZipError) in try LibZip() }

    /// `dlopen`s libzip and finds every function this module calls.
    private init() throws(ZipError) {
        let library: SharedLibrary
        do { library = try SharedLibrary("libzip.so.4") } catch {
            throw .unavailable("libzip could not be loaded (\(error.reason)); install libzip4")
        }
        func function<F>(_ name: String, as type: F.Type) throws(ZipError) -> F {
            do { return try library.function(name, as: type) } catch { throw .unavailable(error.reason) }
        }
        errorInit = try function("zip_error_init", as: (@convention(c) (UnsafeMutablePointer<zip_error_t>?) -> Void).self)
        errorFini = try function("zip_error_fini", as: type(of: errorInit))
        errorStrerror = try function("zip_error_strerror", as: type(of: errorStrerror))
        errorCodeZip = try function("zip_error_code_zip", as: type(of: errorCodeZip))
        sourceBufferCreate = try function("zip_source_buffer_create", as: type(of: sourceBufferCreate))
        sourceFree = try function("zip_source_free", as: type(of: sourceFree))
        openFromSource = try function("zip_open_from_source", as: type(of: openFromSource))
        discard = try function("zip_discard", as: type(of: discard))
        getNumEntries = try function("zip_get_num_entries", as: type(of: getNumEntries))
        statInit = try function("zip_stat_init", as: type(of: statInit))
        statIndex = try function("zip_stat_index", as: type(of: statIndex))
        fopenIndex = try function("zip_fopen_index", as: type(of: fopenIndex))
        getError = try function("zip_get_error", as: type(of: getError))
        fclose = try function("zip_fclose", as: type(of: fclose))
        fread = try function("zip_fread", as: type(of: fread))
        fileGetError = try function("zip_file_get_error", as: type(of: fileGetError))
    }

    /// `zip_error_strerror` as a Swift string.
    func describe(_ error: UnsafeMutablePointer<zip_error_t>) -> String {
        errorStrerror(error).map { String(cString: $0) } ?? "unknown error"
    }
}

/// One open archive: the libzip handle over a private copy of the bytes.
final class RawArchive {
    private let storage: UnsafeMutableRawBufferPointer
    private let archive: OpaquePointer
    private let zip: LibZip

    /// Opens `bytes` with `zip_source_buffer_create` and `zip_open_from_source` (read-only, consistency checked).
    init(_ bytes: [UInt8]) throws(ZipError) {
        let zip = try LibZip.loaded.get()
        self.zip = zip
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        var error = zip_error_t()
        zip.errorInit(&error)
        defer { zip.errorFini(&error) }
        guard let source = zip.sourceBufferCreate(storage.baseAddress, zip_uint64_t(bytes.count), 0, &error) else {
            storage.deallocate()
            throw .damaged(zip.describe(&error))
        }
        guard let archive = zip.openFromSource(source, ZIP_RDONLY | ZIP_CHECKCONS, &error) else {
            zip.sourceFree(source)
            storage.deallocate()
            let code = zip.errorCodeZip(&error)
            if code == ZIP_ER_NOZIP { throw .notZip }
            throw .damaged(zip.describe(&error))
        }
        self.archive = archive
    }

    deinit {
        zip.discard(archive)
        storage.deallocate()
    }

    /// The entries' names in the archive's order, with their compressed and declared sizes and whether they are
    /// encrypted (`zip_get_num_entries`, `zip_stat_index`).
    func entries() -> [ZipEntry] {
        let count = max(0, zip.getNumEntries(archive, 0))
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(count))
        for index in 0..<count {
            var stat = zip_stat_t()
            zip.statInit(&stat)
            guard zip.statIndex(archive, zip_uint64_t(index), 0, &stat) == 0, let name = stat.name else { continue }
            let encrypted = stat.valid & zip_uint64_t(ZIP_STAT_ENCRYPTION_METHOD) != 0
                && stat.encryption_method != UInt16(ZIP_EM_NONE)
            entries.append(ZipEntry(index: Int(index), name: String(cString: name), compressedSize: Int64(stat.comp_size),
                                    declaredSize: Int64(stat.size), encrypted: encrypted))
        }
        return entries
    }

    /// Inflates entry `index` with `zip_fopen_index` and `zip_fread`; stops with `.entryTooLarge` once more than
    /// `limit` bytes come out.
    func read(index: Int, name: String, limit: Int) throws(ZipError) -> [UInt8] {
        guard let file = zip.fopenIndex(archive, zip_uint64_t(index), 0) else {
            let error = zip.getError(archive)
            if let error, zip.errorCodeZip(error) == ZIP_ER_NOPASSWD { throw .encrypted(name) }
            throw .damaged(error.map { zip.describe($0) } ?? "entry \(name) cannot be opened")
        }
        defer { _ = zip.fclose(file) }
        var out: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = piece.withUnsafeMutableBytes { zip.fread(file, $0.baseAddress!, zip_uint64_t($0.count)) }
            if count < 0 {
                let message = zip.fileGetError(file).map { zip.describe($0) } ?? "read error"
                throw .damaged("\(name): \(message)")
            }
            if count == 0 { break }
            if out.count + Int(count) > limit { throw .entryTooLarge(name, limit: limit) }
            out.append(contentsOf: piece[0..<Int(count)])
        }
        return out
    }
}
