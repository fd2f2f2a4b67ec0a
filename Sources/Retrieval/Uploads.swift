// Files uploaded into the documents folder from the admin pages. Each is written to a hidden file of its own in the
// folder (ingestion passes hidden files over), and only once all of it has arrived is it renamed to its name, in one
// step: the folder never holds half a document, and an upload cancelled or cut off leaves nothing behind.
#if canImport(Glibc)
internal import Glibc
#endif
internal import Crypto

/// A file being uploaded into the documents folder.
public final class UploadFile {
    /// The name it will have in the folder (its own name made safe; a number added if taken).
    public let name: String
    private let folder: String
    private let temporary: String
    private var descriptor: Int32
    private let limit: Int
    public private(set) var written = 0

    /// Why a file cannot be uploaded, in a sentence for the admin.
    public struct Refusal: Error, Sendable, Equatable {
        public let fileName: String
        public let reason: String
    }

    /// Starts receiving `fileName` into `folder`: refused for a format Quarry does not read, or a name that is no
    /// file name. Text is limited to `textLimit` bytes, PDFs and packed formats to `packedLimit` (ingestion's).
    public init(fileName: String, folder: String, textLimit: Int, packedLimit: Int) throws(Refusal) {
        let name = Self.safeName(fileName)
        guard !name.isEmpty else { throw Refusal(fileName: fileName, reason: "this is not a file name") }
        guard let format = DocumentFormat.of(path: name) else {
            throw Refusal(fileName: fileName, reason: DocumentFormat.unsupportedReason(path: name))
        }
        guard let random = try? SecureRandom.bytes(8) else {
            throw Refusal(fileName: fileName, reason: "the server could not name a temporary file")
        }
        let root = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let temporary = root + "/.quarry-upload-" + ByteEncoding.hex(random)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw Refusal(fileName: fileName, reason: "the documents folder cannot be written to (\(String(cString: strerror(errno))))")
        }
        self.name = name
        self.folder = root
        self.temporary = temporary
        self.descriptor = descriptor
        limit = format.isBinary ? packedLimit : textLimit
    }

    deinit { discard() }

    /// Appends `bytes`; false when the file passes its limit or cannot be written (then it is discarded).
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard descriptor >= 0 else { return false }
        guard written + bytes.count <= limit else {
            discard()
            return false
        }
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                discard()
                return false
            }
            offset += count
        }
        written += bytes.count
        return true
    }

    /// The limit it passed, when `write` refused for that: how its refusal reads.
    public var tooLarge: Refusal {
        Refusal(fileName: name, reason: "larger than \(limit >> 20) MB, the most Quarry reads of this format")
    }

    /// Gives the file its name in the folder (a number added when the name is taken); the name it got, or nil
    /// when it could not be (it is then discarded).
    public func finish() -> String? {
        guard descriptor >= 0 else { return nil }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        descriptor = -1
        guard synced else {
            unlink(temporary)
            return nil
        }
        let stem = name.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
        let suffix = String(name.split(separator: ".").last ?? "")
        for attempt in 1...100 {
            let candidate = attempt == 1 ? name : "\(stem) (\(attempt)).\(suffix)"
            // link, then unlink the temporary: unlike rename, link never replaces a file of the same name.
            if link(temporary, folder + "/" + candidate) == 0 {
                unlink(temporary)
                return candidate
            }
            guard errno == EEXIST else { break }
        }
        unlink(temporary)
        return nil
    }

    /// Drops what was received: the temporary file goes.
    public func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }

    /// The last part of `fileName` (a browser may send a path), with only letters, digits, spaces and `. _ - ( )`
    /// kept (the rest become `_`), no leading dot, at most 200 bytes.
    static func safeName(_ fileName: String) -> String {
        let last = fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(last.unicodeScalars.map { scalar -> Character in
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil || " ._-()".unicodeScalars.contains(scalar)
                ? Character(scalar) : "_"
        })
        while name.hasPrefix(".") || name.hasPrefix(" ") { name.removeFirst() }
        while name.utf8.count > 200 { name.removeFirst() }
        return name.trimmingSuffix(while: { $0 == " " })
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var text = self
        while let last = text.last, predicate(last) { text.removeLast() }
        return text
    }
}
