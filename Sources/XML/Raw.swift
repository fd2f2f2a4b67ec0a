// Every raw libxml2 call of this module lives in this file, and the dlopen that finds them.
//
// libxml2 is loaded the first time a document is parsed (`dlopen("libxml2.so.2")`), not when the process starts:
// with ICU and liblzma, which it links, it keeps about 0.9 MiB of pages resident in a server that reads no document
// (docs/performance.md). The binary does not link it; the Debian package depends on libxml2 by name (tools/package).
// Without it an XML parse throws `XMLError.unavailable`, and an HTML parse, which cannot fail, stops the process
// with the reason (the package cannot be installed without libxml2).
//
// Threading rule (libxml2 2.9.14): `xmlInitParser` must run once before parsers are made on several threads (it sets
// up global tables and locks): `LibXML2.loaded`, a Swift static, loads the library and runs it exactly once; after that each parser context, with its SAX handler and user data, belongs to the
// one thread that feeds it. Nothing here is shared between parses.
//
// Quarry parses with SAX (callbacks as the parser reads), never building a tree, so memory stays flat whatever the
// document's size. Options, chosen for files nobody checked:
// - never `XML_PARSE_NOENT` (entities are not substituted), `XML_PARSE_DTDLOAD` or `XML_PARSE_DTDATTR` (no DTD is
//   read), always `XML_PARSE_NONET` (nothing is fetched); the entity-declaration callback is unset, so a document's
//   own `<!ENTITY …>` declarations are never recorded and references to them are reported, not expanded: "billion
//   laughs" and external entities (XXE) have nothing to work with, and the declaration is reported so the caller
//   can refuse the file;
// - never `XML_PARSE_HUGE`: libxml2's default limits stay (names, text nodes, nesting depth);
// - errors and warnings are not printed; the first fatal one is read back with `xmlCtxtGetLastError`.
internal import CXML2
internal import SharedLibrary

/// libxml2's functions, found once with `dlopen`/`dlsym`.
struct LibXML2Functions: @unchecked Sendable {
    // @unchecked: immutable C function pointers.
    let initParser: @convention(c) () -> Void
    let stopParser: @convention(c) (xmlParserCtxtPtr?) -> Void
    let htmlCreateMemoryParserCtxt: @convention(c) (UnsafePointer<CChar>?, Int32) -> htmlParserCtxtPtr?
    let htmlFreeParserCtxt: @convention(c) (htmlParserCtxtPtr?) -> Void
    let htmlCtxtUseOptions: @convention(c) (htmlParserCtxtPtr?, Int32) -> Int32
    let htmlParseDocument: @convention(c) (htmlParserCtxtPtr?) -> Int32
    let createPushParserCtxt: @convention(c) (
        xmlSAXHandlerPtr?, UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?
    ) -> xmlParserCtxtPtr?
    let freeParserCtxt: @convention(c) (xmlParserCtxtPtr?) -> Void
    let ctxtUseOptions: @convention(c) (xmlParserCtxtPtr?, Int32) -> Int32
    let parseChunk: @convention(c) (xmlParserCtxtPtr?, UnsafePointer<CChar>?, Int32, Int32) -> Int32
    let ctxtGetLastError: @convention(c) (UnsafeMutableRawPointer?) -> xmlErrorPtr?

    /// `dlopen`s libxml2 and finds every function this module calls.
    init() throws(XMLError) {
        let library: SharedLibrary
        do { library = try SharedLibrary("libxml2.so.2") } catch {
            throw .unavailable("libxml2 could not be loaded (\(error.reason)); install libxml2")
        }
        func function<F>(_ name: String, as type: F.Type) throws(XMLError) -> F {
            do { return try library.function(name, as: type) } catch { throw .unavailable(error.reason) }
        }
        initParser = try function("xmlInitParser", as: (@convention(c) () -> Void).self)
        stopParser = try function("xmlStopParser", as: (@convention(c) (xmlParserCtxtPtr?) -> Void).self)
        htmlCreateMemoryParserCtxt = try function("htmlCreateMemoryParserCtxt", as: type(of: htmlCreateMemoryParserCtxt))
        htmlFreeParserCtxt = try function("htmlFreeParserCtxt", as: type(of: htmlFreeParserCtxt))
        htmlCtxtUseOptions = try function("htmlCtxtUseOptions", as: type(of: htmlCtxtUseOptions))
        htmlParseDocument = try function("htmlParseDocument", as: type(of: htmlParseDocument))
        createPushParserCtxt = try function("xmlCreatePushParserCtxt", as: type(of: createPushParserCtxt))
        freeParserCtxt = try function("xmlFreeParserCtxt", as: type(of: freeParserCtxt))
        ctxtUseOptions = try function("xmlCtxtUseOptions", as: type(of: ctxtUseOptions))
        parseChunk = try function("xmlParseChunk", as: type(of: parseChunk))
        ctxtGetLastError = try function("xmlCtxtGetLastError", as: type(of: ctxtGetLastError))
    }
}

/// The Swift side of one parse: the handler, and whether it asked to stop. Reached from C callbacks through the
/// SAX user-data pointer.
final class ParseContext {
    let handler: any XMLContentHandler
    var parser: xmlParserCtxtPtr?
    var declaredEntity: String?

    init(handler: any XMLContentHandler) { self.handler = handler }

    /// Stops the parser if the handler asked to.
    func checkStop() {
        if handler.stopRequested, let parser { LibXML2.stopParser(parser) }
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> ParseContext {
        Unmanaged<ParseContext>.fromOpaque(pointer!).takeUnretainedValue()
    }
}

enum LibXML2 {
    /// libxml2, loaded, with its global state set up (`xmlInitParser`), or why not; Swift runs a static initializer
    /// exactly once.
    static let loaded: Result<LibXML2Functions, XMLError> = Result { () throws(XMLError) in
        let functions = try LibXML2Functions()
        functions.initParser()
        return functions
    }

    /// `xmlStopParser`, from a callback of a running parse (so the library is loaded).
    static func stopParser(_ parser: xmlParserCtxtPtr) {
        if case .success(let xml) = loaded { xml.stopParser(parser) }
    }

    /// Parses `bytes` as HTML with `htmlCreateMemoryParserCtxt`, `htmlCtxtUseOptions` and `htmlParseDocument`, as
    /// leniently as a browser: malformed markup is repaired, never an error. The bytes are taken as UTF-8.
    static func parseHTML(_ bytes: [UInt8], handler: any XMLContentHandler) {
        let xml: LibXML2Functions
        switch loaded {
        case .success(let functions): xml = functions
        case .failure(let error): fatalError("Quarry cannot read HTML: \(error.reason)")
        }
        var sax = htmlSAXHandler()
        sax.startElement = { context, name, attributes in
            let context = ParseContext.from(context)
            context.handler.startElement(XMLStartTag(html: name, attributes: attributes))
            context.checkStop()
        }
        sax.endElement = { context, name in
            let context = ParseContext.from(context)
            context.handler.endElement(XMLName(localName: LibXML2.string(name), namespace: nil))
            context.checkStop()
        }
        sax.characters = htmlCharacters
        sax.ignorableWhitespace = htmlCharacters
        // The contents of <script> and <style> arrive here: never text.
        sax.cdataBlock = { _, _, _ in }
        let context = ParseContext(handler: handler)
        let pointer = Unmanaged.passRetained(context).toOpaque()
        defer { Unmanaged<ParseContext>.fromOpaque(pointer).release() }
        // The pull parser over memory, not the push parser: libxml2 2.9's push parser drops the whole of a document
        // that starts with an end tag (`</p>text`), which the pull parser reads as browsers do.
        guard !bytes.isEmpty, bytes.count < Int(Int32.max), let parser = bytes.withUnsafeBufferPointer({ buffer in
            buffer.withMemoryRebound(to: CChar.self) { xml.htmlCreateMemoryParserCtxt($0.baseAddress, Int32($0.count)) }
        }) else { return }
        defer { xml.htmlFreeParserCtxt(parser) }
        parser.pointee.sax.pointee = sax
        parser.pointee.userData = pointer
        // The bytes are UTF-8: said here as `xmlSwitchEncoding(XML_CHAR_ENCODING_UTF8)` would (it only sets this
        // field), since otherwise the first non-ASCII byte makes the parser guess Latin-1; and with
        // HTML_PARSE_IGNORE_ENC a `<meta charset>` cannot switch the decoding either.
        parser.pointee.charset = Int32(XML_CHAR_ENCODING_UTF8.rawValue)
        context.parser = parser
        let options = HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_COMPACT.rawValue | HTML_PARSE_IGNORE_ENC.rawValue
        _ = xml.htmlCtxtUseOptions(parser, Int32(options))
        _ = xml.htmlParseDocument(parser)
    }

    /// Parses `bytes` as XML with `xmlCreatePushParserCtxt`, `xmlCtxtUseOptions` and `xmlParseChunk`; throws the first
    /// fatal error (a document that is not well formed), or a refusal of entity declarations.
    static func parseXML(_ bytes: [UInt8], handler: any XMLContentHandler) throws(XMLError) {
        let xml = try loaded.get()
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { context, localName, _, uri, _, _, count, _, attributes in
            let context = ParseContext.from(context)
            context.handler.startElement(XMLStartTag(localName: localName, uri: uri, count: Int(count),
                                                     attributes: attributes))
            context.checkStop()
        }
        sax.endElementNs = { context, localName, _, uri in
            let context = ParseContext.from(context)
            context.handler.endElement(XMLName(localName: LibXML2.string(localName),
                                               namespace: uri.map { LibXML2.string($0) }))
            context.checkStop()
        }
        sax.characters = xmlCharacters
        sax.cdataBlock = xmlCharacters
        // Declarations are refused, not recorded: nothing can be expanded.
        sax.entityDecl = { context, name, _, _, _, _ in
            let context = ParseContext.from(context)
            if context.declaredEntity == nil { context.declaredEntity = LibXML2.string(name) }
            if let parser = context.parser { LibXML2.stopParser(parser) }
        }
        sax.serror = { _, _ in }
        let context = ParseContext(handler: handler)
        let pointer = Unmanaged.passRetained(context).toOpaque()
        defer { Unmanaged<ParseContext>.fromOpaque(pointer).release() }
        guard let parser = xml.createPushParserCtxt(&sax, pointer, nil, 0, nil) else {
            throw .malformed("the XML parser could not start")
        }
        defer { xml.freeParserCtxt(parser) }
        context.parser = parser
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue
        _ = xml.ctxtUseOptions(parser, Int32(options))
        feed(bytes) { pointer, count, last in xml.parseChunk(parser, pointer, count, last) }
        if let name = context.declaredEntity { throw .entityDeclaration(name) }
        if handler.stopRequested { return }
        if parser.pointee.wellFormed == 0 {
            let error = xml.ctxtGetLastError(parser)
            let message = error?.pointee.message.map { String(cString: $0) } ?? "not well formed"
            let line = Int(error?.pointee.line ?? 0)
            throw .malformed("line \(line): \(message.trimmingSuffix())")
        }
    }

    /// Feeds the bytes in pieces of 1 MiB (`Int32` lengths), the last piece with the terminate flag.
    private static func feed(_ bytes: [UInt8], _ chunk: (UnsafePointer<CChar>?, Int32, Int32) -> Int32) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                let piece = 1 << 20
                var offset = 0
                repeat {
                    let count = min(piece, chars.count - offset)
                    let last: Int32 = offset + count >= chars.count ? 1 : 0
                    let status = chunk(chars.baseAddress.map { $0 + offset }, Int32(count), last)
                    offset += count
                    if status != 0, last == 0 { _ = chunk(nil, 0, 1); break }
                } while offset < chars.count
            }
        }
    }

    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }
}

private func htmlCharacters(_ context: UnsafeMutableRawPointer?, _ bytes: UnsafePointer<xmlChar>?, _ count: Int32) {
    guard let bytes, count > 0 else { return }
    let context = ParseContext.from(context)
    context.handler.characters(XMLText(buffer: UnsafeBufferPointer(start: bytes, count: Int(count))))
    context.checkStop()
}

private func xmlCharacters(_ context: UnsafeMutableRawPointer?, _ bytes: UnsafePointer<xmlChar>?, _ count: Int32) {
    htmlCharacters(context, bytes, count)
}

extension XMLStartTag {
    /// An HTML start tag: libxml2 lower-cases HTML names; attributes come as a NULL-terminated list of name and value
    /// (a value may be NULL for a bare attribute).
    init(html name: UnsafePointer<xmlChar>?, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        var list: [XMLAttribute] = []
        if let attributes {
            var index = 0
            while let attributeName = attributes[index] {
                let value = attributes[index + 1].map { LibXML2.string($0) } ?? ""
                list.append(XMLAttribute(localName: LibXML2.string(attributeName), namespace: nil, value: value))
                index += 2
            }
        }
        self.init(name: XMLName(localName: name.map { LibXML2.string($0) } ?? "", namespace: nil), attributes: list)
    }

    /// An XML start tag from SAX2: attributes come as `count` quintuples of local name, prefix, URI, value start and
    /// value end (the value is not NUL-terminated).
    init(localName: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?, count: Int,
         attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        var list: [XMLAttribute] = []
        if let attributes {
            list.reserveCapacity(count)
            for index in 0..<count {
                let base = index * 5
                guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4]
                else { continue }
                let value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                list.append(XMLAttribute(localName: LibXML2.string(name), namespace: attributes[base + 2].map {
                    LibXML2.string($0)
                }, value: value))
            }
        }
        self.init(name: XMLName(localName: localName.map { LibXML2.string($0) } ?? "",
                                namespace: uri.map { LibXML2.string($0) }), attributes: list)
    }
}

private extension String {
    func trimmingSuffix() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
