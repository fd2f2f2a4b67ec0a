// Every raw libzip call of this module lives in this file.
//
// Threading rule (libzip 1.7): an archive handle and the files opened from it belong to one thread at a time;
// separate archives may be used on separate threads. `ZipArchive` is not `Sendable`.
//
// The archive is read from memory (`zip_source_buffer_create` over bytes this module owns for the archive's
// lifetime), never from a path, so what is read is exactly what was hashed. Entries are read through `zip_fread` in
// pieces, counting what comes out: the sizes an archive declares can lie, so the limits are enforced on the bytes
// actually inflated.
internal import CZip

/// One open archive: the libzip handle over a private copy of the bytes.
final class RawArchive {
    private let storage: UnsafeMutableRawBufferPointer
    private let archive: OpaquePointer

    /// Opens `bytes` with `zip_source_buffer_create` and `zip_open_from_source` (read-only, consistency checked).
    init(_ bytes: [UInt8]) throws(ZipError) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        guard let source = zip_source_buffer_create(storage.baseAddress, zip_uint64_t(bytes.count), 0, &error) else {
            storage.deallocate()
            throw .damaged(String(cString: zip_error_strerror(&error)))
        }
        guard let archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error) else {
            zip_source_free(source)
            storage.deallocate()
            let code = zip_error_code_zip(&error)
            if code == ZIP_ER_NOZIP { throw .notZip }
            throw .damaged(String(cString: zip_error_strerror(&error)))
        }
        self.archive = archive
    }

    deinit {
        zip_discard(archive)
        storage.deallocate()
    }

    /// The entries' names in the archive's order, with their compressed and declared sizes and whether they are
    /// encrypted (`zip_get_num_entries`, `zip_stat_index`).
    func entries() -> [ZipEntry] {
        let count = max(0, zip_get_num_entries(archive, 0))
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(count))
        for index in 0..<count {
            var stat = zip_stat_t()
            zip_stat_init(&stat)
            guard zip_stat_index(archive, zip_uint64_t(index), 0, &stat) == 0, let name = stat.name else { continue }
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
        guard let file = zip_fopen_index(archive, zip_uint64_t(index), 0) else {
            let error = zip_get_error(archive)
            if let error, zip_error_code_zip(error) == ZIP_ER_NOPASSWD { throw .encrypted(name) }
            throw .damaged(error.map { String(cString: zip_error_strerror($0)) } ?? "entry \(name) cannot be opened")
        }
        defer { zip_fclose(file) }
        var out: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = piece.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress!, zip_uint64_t($0.count)) }
            if count < 0 {
                let message = zip_file_get_error(file).map { String(cString: zip_error_strerror($0)) } ?? "read error"
                throw .damaged("\(name): \(message)")
            }
            if count == 0 { break }
            if out.count + Int(count) > limit { throw .entryTooLarge(name, limit: limit) }
            out.append(contentsOf: piece[0..<Int(count)])
        }
        return out
    }
}
