// The files documents were read from, opened for people from the reading view. Only a regular file inside the
// documents folder, once symbolic links are resolved, is ever served (the rule ingestion follows: a link in the
// folder to /etc/passwd is not a document), and only at a size the server can hold.
#if canImport(Glibc)
internal import Glibc
#endif

/// A document's original file, as it may be served.
public struct OriginalFile: Sendable, Equatable {
    /// The resolved path, inside the documents folder.
    public let path: String
    /// The `Content-Type` it is served with.
    public let contentType: String
    /// Whether a browser shows it itself (PDF, text, HTML); otherwise it is offered as a download.
    public let shownInBrowser: Bool
    /// Whether it is a PDF (it opens at a page: `#page=N`).
    public var isPDF: Bool { contentType == "application/pdf" }
    /// The file's name.
    public var name: String { String(path.split(separator: "/").last ?? "") }

    /// Files larger than this are not served (64 MB).
    public static let sizeLimit = 64 * 1024 * 1024

    static let types: [String: (type: String, shown: Bool)] = [
        "pdf": ("application/pdf", true),
        "txt": ("text/plain; charset=utf-8", true), "md": ("text/plain; charset=utf-8", true),
        "markdown": ("text/plain; charset=utf-8", true), "rst": ("text/plain; charset=utf-8", true),
        "html": ("text/html; charset=utf-8", true), "htm": ("text/html; charset=utf-8", true),
        "xhtml": ("text/html; charset=utf-8", true),
        "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", false),
        "odt": ("application/vnd.oasis.opendocument.text", false),
        "epub": ("application/epub+zip", false),
    ]

    /// The original of a document read from `path`, if that is now a regular file inside `folder` of a kind
    /// Quarry reads, within the size limit; nil otherwise.
    public static func locate(_ path: String, in folder: String) -> OriginalFile? {
        guard let root = Files.realPath(folder), let resolved = Files.realPath(path),
              resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        else { return nil }
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) <= sizeLimit else { return nil }
        let name = resolved.split(separator: "/").last.map(String.init) ?? ""
        var suffix = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!).lowercased() : ""
        if name.lowercased().hasSuffix(".rst.txt") { suffix = "rst" }
        guard let kind = types[suffix] else { return nil }
        return OriginalFile(path: resolved, contentType: kind.type, shownInBrowser: kind.shown)
    }

    /// `folder` as an absolute path with symbolic links resolved, as ingested documents' paths are written; nil if
    /// it does not exist.
    public static func resolvedFolder(_ folder: String) -> String? { Files.realPath(folder) }

    /// The file's bytes, or nil if it can no longer be read or has grown past the limit.
    public func read() -> [UInt8]? { Files.read(path, limit: Self.sizeLimit) }

    /// Deletes the file from the documents folder (an admin's Delete); false, with nothing done, if it cannot.
    public func delete() -> Bool { unlink(path) == 0 }
}
