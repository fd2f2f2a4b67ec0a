// The containers of .docx, .odt and .epub: zip archives of XML parts, opened with libzip and read with libxml2 under
// the same limits for all three, with what those libraries report turned into one line for the person who dropped
// the file. Written once here; WordReader, OpenDocumentReader and EPUBReader only say which parts they read.
//
// Limits, per part and for the archive as a whole (the `budget` DocumentReader passes in):
// - a part is refused before a byte is inflated when it declares a size past its limit or a ratio past
//   `ZipArchive.maximumRatio` (an honest zip bomb is refused at once); one that lies about its size stops inflating
//   as soon as it passes that ratio (the Zip module counts what comes out), after a megabyte, not after its limit;
// - XML that declares entities is refused (libxml2 never expands them, reads no DTD and fetches nothing), so billion
//   laughs and external entities (XXE) are reported, never followed.
// An OLE2 compound file (the container of Word 97–2003 files and of password-protected Office files) is told apart
// from a file that is simply not a zip by its 8-byte signature and the names of its streams.
internal import XML
internal import Zip

/// A zip container of XML parts, read with per-part limits. One thread at a time (it owns a `ZipArchive`).
struct Container {
    /// The most a document part (word/document.xml, content.xml, an EPUB chapter) may inflate to.
    static let documentLimit = 64 << 20
    /// The most a part of styles or a package document (styles.xml, an EPUB's OPF) may inflate to.
    static let stylesLimit = 16 << 20
    /// The most a part of metadata (core.xml, meta.xml, container.xml, manifests) may inflate to.
    static let metadataLimit = 1 << 20

    private let archive: ZipArchive
    /// What the file should be, for reasons: ".docx", ".odt", ".epub".
    let kind: String

    /// Opens `bytes` as a zip archive whose parts together may inflate to at most `budget` bytes.
    init(_ bytes: [UInt8], budget: Int, kind: String) throws(DocumentReadError) {
        if let refusal = Self.compoundFileRefusal(bytes, kind: kind) { throw refusal }
        do throws(ZipError) {
            archive = try ZipArchive(bytes: bytes, budget: budget)
        } catch .notZip where bytes.starts(with: Self.localHeaderSignature) {
            // It starts as a zip does, but libzip found no central directory at its end: cut short.
            throw .damaged("the archive is cut short (its central directory, at the end, is missing)")
        } catch {
            throw DocumentReadError(error, kind: kind)
        }
        self.kind = kind
    }

    /// Whether the archive has a part named `name`.
    func contains(_ name: String) -> Bool { archive.entry(named: name) != nil }

    /// The bytes of part `name`; throws `.damaged` when the archive has no such part.
    func part(_ name: String, limit: Int) throws(DocumentReadError) -> [UInt8] {
        guard let bytes = try optionalPart(name, limit: limit) else {
            throw DocumentReadError(ZipError.missingEntry(name), kind: kind)
        }
        return bytes
    }

    /// The bytes of part `name`, or nil when the archive has no such part.
    func optionalPart(_ name: String, limit: Int) throws(DocumentReadError) -> [UInt8]? {
        guard let entry = archive.entry(named: name) else { return nil }
        // The ratio the Zip module checks once a part is inflated, checked before: on the size the part declares,
        // and as a limit on what may come out, so a part that lies about its size stops at the ratio, not at `limit`.
        let ratioLimit = max(ZipArchive.ratioFloor,
                             Int(clamping: ZipArchive.maximumRatio * max(entry.compressedSize, 1)))
        if entry.declaredSize > Int64(ratioLimit) {
            throw DocumentReadError(ZipError.suspiciousRatio(name), kind: kind)
        }
        do throws(ZipError) {
            return try archive.read(entry, limit: min(limit, ratioLimit))
        } catch .entryTooLarge(_, let reached) where reached == ratioLimit && ratioLimit < limit {
            throw DocumentReadError(ZipError.suspiciousRatio(name), kind: kind)
        } catch {
            throw DocumentReadError(error, kind: kind)
        }
    }

    /// Reads part `name` as XML into `handler`; see `part(_:limit:)` and `parse(_:part:handler:)`.
    func parsePart(_ name: String, limit: Int, handler: some XMLContentHandler) throws(DocumentReadError) {
        try Self.parse(try part(name, limit: limit), part: name, handler: handler)
    }

    /// Parses the XML of `part`; a part that is not well formed is damaged, one that declares entities is refused.
    static func parse(_ bytes: [UInt8], part: String, handler: some XMLContentHandler) throws(DocumentReadError) {
        do throws(XMLError) {
            try XMLParser.parseXML(bytes, handler: handler)
        } catch {
            throw DocumentReadError(error, part: part)
        }
    }

    /// The signature a zip archive's first entry starts with.
    static let localHeaderSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    // MARK: OLE2 compound files

    /// The signature every OLE2 compound file starts with.
    static let compoundFileSignature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Why an OLE2 compound file under a zip format's name is not read, or nil when `bytes` is not one. Its
    /// directory names its streams in UTF-16: `EncryptedPackage` holds a password-protected Office file,
    /// `WordDocument` a Word 97–2003 document.
    static func compoundFileRefusal(_ bytes: [UInt8], kind: String) -> DocumentReadError? {
        guard bytes.starts(with: compoundFileSignature) else { return nil }
        if contains(utf16: "EncryptedPackage", in: bytes) { return .encrypted }
        if contains(utf16: "WordDocument", in: bytes) {
            return .refused("it is a Word 97–2003 document (.doc) named \(kind): save it as .docx")
        }
        return .refused("it is an OLE2 file (Office 97–2003, or password-protected), not a \(kind): "
            + "save it as \(kind)")
    }

    /// Whether `bytes` hold `name` in UTF-16LE, as an OLE2 directory entry spells a stream's name.
    private static func contains(utf16 name: String, in bytes: [UInt8]) -> Bool {
        let pattern = name.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var index = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first, bytes[index..<index + pattern.count].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }
}

extension DocumentReadError {
    /// The reason a container of `kind` (".docx") could not be opened or one of its parts read.
    init(_ error: ZipError, kind: String) {
        switch error {
        case .notZip: self = .damaged("it is not a zip archive, as every \(kind) is (misnamed, or not finished?)")
        case .damaged(let detail): self = .damaged("the archive is truncated or corrupt (\(detail))")
        case .missingEntry(let name): self = .damaged("the archive has no \(name), so it is not a whole \(kind)")
        case .entryTooLarge, .suspiciousRatio: self = .refused(error.reason)
        case .encrypted: self = .encrypted
        case .unavailable: self = .converterMissing(program: "libzip", package: "libzip4")
        }
    }

    /// The reason the XML of `part` could not be read.
    init(_ error: XMLError, part: String) {
        switch error {
        case .malformed(let detail): self = .damaged("\(part) is not well-formed XML (\(detail))")
        case .entityDeclaration(let name):
            self = .refused("\(part) declares XML entities (\(name)): refused, as entities are how XML bombs and "
                + "reads of other files work")
        case .unavailable: self = .converterMissing(program: "libxml2", package: "libxml2")
        }
    }
}
