// The parts of an EPUB that say where its text is: META-INF/container.xml names the package document (the OPF), whose
// manifest maps ids to files and whose spine lists them in reading order; META-INF/encryption.xml lists the files a
// DRM scheme encrypted (fonts merely obfuscated, by the IDPF's or Adobe's algorithm, are still readable text's
// neighbours, not text).
internal import XML

extension EPUBReader {
    static let containerNamespace = "urn:oasis:names:tc:opendocument:xmlns:container"
    static let packageNamespace = "http://www.idpf.org/2007/opf"
    static let encryptionNamespace = "http://www.w3.org/2001/04/xmlenc#"
    /// Font obfuscation (EPUB OCF, Adobe), which leaves the chapters readable.
    static let fontObfuscation: Set<String> = [
        "http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC",
    ]

    /// The path of the package document: the first rootfile of the OPF media type, else the first rootfile.
    final class ContainerReader: XMLContentHandler {
        private(set) var packagePath: String?
        private var firstPath: String?

        var rootfile: String? { packagePath ?? firstPath }
        var stopRequested: Bool { packagePath != nil }

        func startElement(_ tag: XMLStartTag) {
            guard tag.name.localName == "rootfile", tag.name.namespace == EPUBReader.containerNamespace,
                  let path = tag.attribute("full-path"), !path.isEmpty else { return }
            if firstPath == nil { firstPath = path }
            if tag.attribute("media-type") == "application/oebps-package+xml" { packagePath = path }
        }

        func endElement(_ name: XMLName) {}
        func characters(_ text: XMLText) {}
    }

    /// A file the manifest lists.
    struct Item {
        var href: String
        var mediaType: String
        var properties: [Substring]
    }

    /// The package document: its title, manifest and spine.
    final class PackageReader: XMLContentHandler {
        let title = DublinCoreTitle()
        private(set) var items: [String: Item] = [:]
        /// The spine's item ids, in reading order.
        private(set) var spine: [String] = []

        func startElement(_ tag: XMLStartTag) {
            title.startElement(tag)
            guard tag.name.namespace == EPUBReader.packageNamespace else { return }
            switch tag.name.localName {
            case "item":
                guard let id = tag.attribute("id"), let href = tag.attribute("href") else { return }
                items[id] = Item(href: href, mediaType: tag.attribute("media-type") ?? "",
                                 properties: (tag.attribute("properties") ?? "").split(separator: " "))
            case "itemref":
                if let id = tag.attribute("idref") { spine.append(id) }
            default: break
            }
        }

        func endElement(_ name: XMLName) { title.endElement(name) }
        func characters(_ text: XMLText) { title.characters(text) }
    }

    /// The files encrypted by something other than font obfuscation, as paths in the archive.
    final class EncryptionReader: XMLContentHandler {
        private(set) var encrypted: Set<String> = []
        private var algorithm: String?

        func startElement(_ tag: XMLStartTag) {
            guard tag.name.namespace == EPUBReader.encryptionNamespace else { return }
            switch tag.name.localName {
            case "EncryptedData": algorithm = nil
            case "EncryptionMethod": algorithm = tag.attribute("Algorithm")
            case "CipherReference":
                guard let uri = tag.attribute("URI"), !EPUBReader.fontObfuscation.contains(algorithm ?? "") else {
                    return
                }
                encrypted.insert(EPUBReader.resolve(uri, from: ""))
            default: break
            }
        }

        func endElement(_ name: XMLName) {}
        func characters(_ text: XMLText) {}
    }

    // MARK: Paths

    /// The archive path of `href` (relative to `folder`, the package document's folder, "" for the root): the
    /// fragment and query cut, percent-escapes decoded, `.` and `..` resolved.
    static func resolve(_ href: String, from folder: String, decoding: Bool = true) -> String {
        var reference = Substring(href)
        if let cut = reference.firstIndex(where: { $0 == "#" || $0 == "?" }) { reference = reference[..<cut] }
        let decoded = decoding ? percentDecoded(reference) : String(reference)
        var parts = decoded.hasPrefix("/") ? [] : folder.split(separator: "/").map(String.init)
        for part in decoded.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }

    /// `text` with `%XX` escapes decoded (as UTF-8; an invalid escape is kept as it is).
    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count, let high = hexValue(utf8[index + 1]),
               let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
