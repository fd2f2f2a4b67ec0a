// HTML and XML read with libxml2, as events in document order (SAX): start tags, text, end tags. No tree is built,
// so a document costs the memory of its bytes, not of its nodes. Raw.swift holds the calls and the options that make
// hostile files harmless (no entity substitution, no DTD, no network).

/// An element's name: its local name (HTML names lower-cased) and, in XML, its namespace URI.
public struct XMLName: Sendable, Equatable {
    public var localName: String
    public var namespace: String?

    public init(localName: String, namespace: String?) {
        self.localName = localName
        self.namespace = namespace
    }
}

/// An attribute of a start tag.
public struct XMLAttribute: Sendable, Equatable {
    public var localName: String
    public var namespace: String?
    public var value: String

    public init(localName: String, namespace: String?, value: String) {
        self.localName = localName
        self.namespace = namespace
        self.value = value
    }
}

/// A start tag: the element's name and its attributes.
public struct XMLStartTag: Sendable, Equatable {
    public var name: XMLName
    public var attributes: [XMLAttribute]

    public init(name: XMLName, attributes: [XMLAttribute]) {
        self.name = name
        self.attributes = attributes
    }

    /// The value of the first attribute with this local name (any namespace), or nil.
    public func attribute(_ localName: String) -> String? {
        attributes.first { $0.localName == localName }?.value
    }

    /// Whether the `class` attribute lists `name` among its space-separated classes.
    public func hasClass(_ name: String) -> Bool {
        guard let classes = attribute("class")?.utf8 else { return false }
        // Token by token without allocating: readers ask this of most elements of a page.
        var start = classes.startIndex
        while start < classes.endIndex {
            let end = classes[start...].firstIndex { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) } ?? classes.endIndex
            if classes[start..<end].elementsEqual(name.utf8) { return true }
            start = end < classes.endIndex ? classes.index(after: end) : end
        }
        return false
    }
}

/// A run of text as the parser hands it over (entities and character references decoded, UTF-8). Valid only during
/// the `characters` call that receives it: copy what you keep.
public struct XMLText {
    let buffer: UnsafeBufferPointer<UInt8>

    init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    /// The number of bytes.
    public var count: Int { buffer.count }

    /// The text as a string.
    public var string: String { String(decoding: buffer, as: UTF8.self) }

    /// Appends the text's UTF-8 bytes to `bytes`.
    public func append(to bytes: inout [UInt8]) { bytes.append(contentsOf: buffer) }

    /// Calls `body` with each byte, in order.
    public func forEachByte(_ body: (UInt8) -> Void) { for byte in buffer { body(byte) } }
}

/// What a parse reports to. Callbacks arrive on the parsing thread, in document order.
public protocol XMLContentHandler: AnyObject {
    func startElement(_ tag: XMLStartTag)
    func endElement(_ name: XMLName)
    func characters(_ text: XMLText)
    /// Checked after every callback: true stops the parse there (a size limit reached, the part wanted read).
    var stopRequested: Bool { get }
}

extension XMLContentHandler {
    public var stopRequested: Bool { false }
}

/// Why XML could not be read.
public enum XMLError: Error, Equatable, Sendable {
    /// Not well formed: the parser's first fatal error, with its line.
    case malformed(String)
    /// The document declares an entity (`<!ENTITY name …>`): refused, since expanding entities is how XML bombs
    /// and external-entity reads work, and no document format Quarry reads needs them.
    case entityDeclaration(String)
    /// libxml2 could not be loaded (not installed): the reason.
    case unavailable(String)

    /// One line for the person running ingestion.
    public var reason: String {
        switch self {
        case .malformed(let detail): "its XML is damaged (\(detail))"
        case .entityDeclaration(let name): "its XML declares entities (\(name)), which Quarry refuses to expand"
        case .unavailable(let detail): "Quarry cannot read XML: \(detail)"
        }
    }
}

/// Parsing HTML and XML.
public enum XMLParser {
    /// Reads `bytes` (UTF-8) as HTML, as a browser would: never fails; malformed markup is repaired, unknown
    /// entities are left as text. Element and attribute names are lower-case. The contents of `script` and `style`
    /// are not reported as text.
    public static func parseHTML(_ bytes: [UInt8], handler: any XMLContentHandler) {
        LibXML2.parseHTML(bytes, handler: handler)
    }

    /// Reads `bytes` as XML. Throws when the document is not well formed or declares entities; no entity is
    /// substituted, no DTD is read and nothing is fetched from the network. A handler that stops the parse early
    /// gets no error for the part not read.
    public static func parseXML(_ bytes: [UInt8], handler: any XMLContentHandler) throws(XMLError) {
        try LibXML2.parseXML(bytes, handler: handler)
    }
}
