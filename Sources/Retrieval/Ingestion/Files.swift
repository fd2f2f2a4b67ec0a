// The files ingestion looks at: walking folders, reading files, their size and modification time.
#if canImport(Glibc)
internal import Glibc
#endif

/// A file found on disk.
struct FoundFile: Sendable, Equatable {
    /// Its absolute path, symlinks resolved.
    let path: String
    let size: Int64
    /// Nanoseconds since 1970.
    let modifiedAt: Int64
    let format: DocumentFormat
}

/// A file that will not be ingested, and why (one line for the person running it).
struct SkippedFile: Sendable, Equatable {
    let path: String
    let reason: String
}

enum Files {
    /// Every supported file under `roots` (files or folders, symlinks resolved), and the files skipped with their
    /// reasons. Hidden files and folders (`.git`, `.DS_Store`) are passed over silently; symlinked folders are not
    /// followed, so a link loop cannot trap the walk; a symlinked file inside a folder is read only when it leads to
    /// a file inside that same folder (a link to `/etc/passwd` or `~/secret.txt` in the documents folder must not
    /// put that file in front of anonymous visitors).
    ///
    /// `realpath` is called for the roots and for entries that are links (or whose type the folder does not tell);
    /// any other entry's resolved path is its folder's plus its name, which saves a `realpath` (a `lstat` of every
    /// component) for each file.
    static func scan(_ roots: [String]) -> (found: [FoundFile], skipped: [SkippedFile], missing: [String]) {
        var found: [FoundFile] = [], skipped: [SkippedFile] = [], missing: [String] = []
        var seen = Set<String>()
        var root = ""
        func joined(_ folder: String, _ name: String) -> String {
            folder.hasSuffix("/") ? folder + name : folder + "/" + name
        }
        /// `resolved`: the path with symlinks resolved, when the walk knows it (an entry that is no link, in a folder
        /// whose resolved path is known); nil asks `realpath`. `isLink`: a folder's entry that is a symlink (never a
        /// root).
        func visit(_ path: String, explicit: Bool, resolved: String?, isLink: Bool) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                if explicit { missing.append(path) }
                return
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                if isLink { return }
                guard let directory = opendir(path) else {
                    skipped.append(SkippedFile(path: path, reason: "the folder cannot be read"))
                    return
                }
                var entries: [(name: String, type: UInt8)] = []
                while let entry = readdir(directory) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                    if !name.hasPrefix(".") { entries.append((name, entry.pointee.d_type)) }
                }
                closedir(directory)
                for (name, type) in entries.sorted(by: { $0.name < $1.name }) {
                    let child = joined(path, name)
                    var link = type == UInt8(DT_LNK)
                    if type == UInt8(DT_UNKNOWN) {
                        var linkInfo = stat()
                        link = lstat(child, &linkInfo) != 0 || linkInfo.st_mode & S_IFMT == S_IFLNK
                    }
                    let known = link ? nil : resolved.map { joined($0, name) }
                    visit(child, explicit: false, resolved: known, isLink: link)
                }
                return
            }
            guard info.st_mode & S_IFMT == S_IFREG else {
                if explicit { skipped.append(SkippedFile(path: path, reason: "not a regular file")) }
                return
            }
            let absolute = resolved ?? realPath(path) ?? path
            if !explicit, !Ingester.isUnder(absolute, roots: [root]) {
                skipped.append(SkippedFile(path: path, reason: "a link to a file outside the folder (not followed)"))
                return
            }
            guard seen.insert(absolute).inserted else { return }
            guard let format = DocumentFormat.of(path: path) else {
                skipped.append(SkippedFile(path: absolute, reason: DocumentFormat.unsupportedReason(path: path)))
                return
            }
            found.append(FoundFile(path: absolute, size: Int64(info.st_size), modifiedAt: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec), format: format))
        }
        for path in roots {
            let resolved = realPath(path)
            root = resolved ?? path
            visit(path, explicit: true, resolved: resolved, isLink: false)
        }
        return (found, skipped, missing)
    }

    /// The absolute path with symlinks resolved (`realpath`).
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The file's bytes, or nil if it cannot be read. Files over `limit` bytes are refused. Read into one buffer of
    /// the file's size (growing it piece by piece held about one and a half times a large PDF at the peak).
    static func read(_ path: String, limit: Int) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var info = stat()
        let expected = fstat(fileno(file), &info) == 0 ? Int(info.st_size) : 0
        guard expected <= limit else { return nil }
        // One byte more than the size, to see the end of a file that grew since it was looked at.
        var bytes = [UInt8](repeating: 0, count: expected + 1)
        var count = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == bytes.count {
            // It grew: read the rest in pieces, within the limit.
            var piece = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&piece, 1, piece.count, file)
                if n == 0 { break }
                bytes += piece[0..<n]
                count += n
                if count > limit { return nil }
            }
        }
        guard ferror(file) == 0, count <= limit else { return nil }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// The file name without its folder and extension, words separated: `getting-started.md` → "getting started".
    static func titleFromName(_ path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        return String(name.map { $0 == "-" || $0 == "_" ? " " : $0 })
    }
}
