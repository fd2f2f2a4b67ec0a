// Every raw cmark-gfm call of this module lives in this file.
//
// Threading rule (cmark-gfm 0.29.0.gfm.6):
// - A parser and the node tree it returns belong to one thread at a time; nothing here is shared.
// - The syntax-extension registry is global: `cmark_gfm_core_extensions_ensure_registered` must run once before
//   any parser looks an extension up, and it is not itself thread-safe.
// - Parsing is NOT reentrant across threads: `process_inlines` (inside `cmark_parser_finish`) adds each attached
//   extension's special characters (`~`, `:`, `w`, `|`…) to the process-global `SPECIAL_CHARS` table and removes
//   them again when it is done. Two parsers finishing at once clear each other's characters, and strikethrough or
//   autolinks silently go missing. So every parse runs under `CMark.parseLock`. Rendering a finished tree to HTML,
//   walking its blocks or editing it (images into links) touches no global state and runs outside the lock.
// - What one parse costs is bounded before it starts (`Markdown.TableBudget`): cmark-gfm 0.29 pads table rows to the
//   header's width while parsing, under the lock, so one hostile table would hold every other answer's parse.
// - Block parses for ingestion (`topLevelBlocks`) take their memory from `ParseArena`, whose state the parse lock
//   guards: their trees are freed before the lock is released. Trees for rendering use cmark-gfm's own allocator.
internal import CMarkGFM
internal import Locking

/// The cmark-gfm options and extensions Quarry renders with, and the one place that calls cmark-gfm.
enum CMark {
    /// The GFM extensions attached to every parser, by their cmark-gfm names.
    static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter"]

    /// The parse and render options, chosen for a model's answer shown in a kiosk page:
    /// - no `CMARK_OPT_UNSAFE`: raw HTML becomes `<!-- raw HTML omitted -->` and `javascript:`, `vbscript:`,
    ///   `file:` and non-image `data:` link targets become `href=""`;
    /// - `CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE`: only `~~text~~` strikes through; models write "~5 to ~10 min"
    ///   for "about", which single-tilde GFM would strike out;
    /// - not `CMARK_OPT_HARDBREAKS`: a single newline stays a soft break, as in CommonMark and chat UIs;
    /// - not `CMARK_OPT_GITHUB_PRE_LANG`: a fenced block's language becomes `class="language-x"` on `<code>`;
    /// - not `CMARK_OPT_FOOTNOTES`: footnote ids are document-global and would collide between answers in one page;
    /// - not `CMARK_OPT_SMART`: quotes and dashes stay as the model wrote them;
    /// - no `CMARK_OPT_VALIDATE_UTF8`: a Swift `String` is valid UTF-8 already.
    static let options: Int32 = CMARK_OPT_DEFAULT | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE

    /// Serialises parsing; see the threading rule at the top of this file.
    private static let parseLock = Lock()

    /// The extensions, looked up once after registering them (Swift runs a static initializer exactly once,
    /// thread-safely), kept both as pointers to attach and as the `cmark_llist` the HTML renderer wants.
    private static let extensions = Extensions()

    /// Parses `markdown` for rendering into a document tree with `cmark_parser_new`,
    /// `cmark_parser_attach_syntax_extension`, `cmark_parser_feed` and `cmark_parser_finish`: its tables kept within
    /// `limits` (`Markdown.TableBudget`) and its images made safe to show (`CMarkDocument.neutraliseImages`).
    static func parse(_ markdown: String, limits: Markdown.Limits, citations: Markdown.Citations? = nil) -> CMarkDocument {
        var text = markdown
        return text.withUTF8 { parse($0, limits: limits, citations: citations).document }
    }

    /// `parse(_:limits:)` of UTF-8 `source`, with the table cells `Markdown.TableBudget` counted in it and the lines
    /// of `source` before which it put a blank line (so the tree's line numbers are one more after each).
    /// With `citations`, the citation markers in its text become links to their passages (`linkCitations`).
    static func parse(_ source: UnsafeBufferPointer<UInt8>, limits: Markdown.Limits, citations: Markdown.Citations? = nil)
        -> (document: CMarkDocument, cells: Int, cutLines: [Int]) {
        let (bounded, cells, cutLines) = Markdown.TableBudget.scan(source, limits: limits)
        let document = bounded.map { $0.withUnsafeBufferPointer { parse($0) } } ?? parse(source)
        if source.containsImageOpener { document.neutraliseImages() }
        if let citations, source.containsCitationOpener { document.linkCitations(citations) }
        return (document, cells, cutLines)
    }

    /// Parses the UTF-8 `bytes` as `parse(_:)` does; `forBlocks` leaves out the extensions that change neither the
    /// blocks nor the text (`autolink` only turns text into links, `tagfilter` only acts when rendering), for a
    /// reader that wants the blocks: the tree's blocks are the same, and it is made some 8 % faster.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, forBlocks: Bool = false) -> CMarkDocument {
        let extensions = Self.extensions
        return parseLock.withLock {
            let root = tree(of: bytes, memory: cmark_get_default_mem_allocator(),
                            extensions: forBlocks ? extensions.blockPointers : extensions.pointers)
            return CMarkDocument(root: root, extensions: extensions)
        }
    }

    /// The top-level blocks of the UTF-8 `bytes`, parsed as `parse(_:forBlocks: true)` parses them but with memory
    /// from `ParseArena`: the tree is read, freed (`cmark_node_free`) and its memory taken back before the parse lock
    /// is released, which the arena's state relies on.
    static func topLevelBlocks(_ bytes: UnsafeBufferPointer<UInt8>) -> [CMarkBlock] {
        let extensions = Self.extensions
        return withArena {
            let root = tree(of: bytes, memory: arenaMemory, extensions: extensions.blockPointers)
            defer { cmark_node_free(root) }
            return CMarkDocument.topLevelBlocks(of: root, extensions: extensions)
        }
    }

    /// The tree of the UTF-8 `bytes` from a parser (`cmark_parser_new_with_mem`) that allocates with `memory` and
    /// has `extensions` attached; the parser is freed, the tree is the caller's. Call under the parse lock.
    private static func tree(of bytes: UnsafeBufferPointer<UInt8>, memory: UnsafeMutablePointer<cmark_mem>,
                             extensions: [OpaquePointer]) -> OpaquePointer {
        // cmark-gfm's allocator aborts the process when memory runs out, so the parser and the tree cannot be NULL.
        let parser = cmark_parser_new_with_mem(options, memory)!
        defer { cmark_parser_free(parser) }
        for syntaxExtension in extensions {
            cmark_parser_attach_syntax_extension(parser, syntaxExtension)
        }
        // By buffer and length rather than as a C string, so an embedded NUL does not end the input
        // (cmark replaces it with U+FFFD).
        bytes.withMemoryRebound(to: CChar.self) { chars in
            cmark_parser_feed(parser, chars.baseAddress, chars.count)
        }
        return cmark_parser_finish(parser)!
    }

    /// Runs `body` under the parse lock, which makes `ParseArena` this thread's, then takes back all the arena
    /// handed out: nothing `body` allocated from it may outlive it.
    static func withArena<Result>(_ body: () -> Result) -> Result {
        parseLock.withLock {
            defer { ParseArena.reset() }
            return body()
        }
    }

    /// `ParseArena`'s functions as the allocator cmark-gfm calls; allocated once, never freed.
    nonisolated(unsafe) private static let arenaMemory: UnsafeMutablePointer<cmark_mem> = {
        let memory = UnsafeMutablePointer<cmark_mem>.allocate(capacity: 1)
        memory.initialize(to: cmark_mem(calloc: { ParseArena.zeroed($0, $1) }, realloc: { ParseArena.resize($0, $1) },
                                        free: { ParseArena.release($0) }))
        return memory
    }()
}

/// The registered GFM extensions; immutable after `init`, owned by the global registry for the whole process.
final class Extensions: @unchecked Sendable {
    /// The `cmark_syntax_extension` pointers, in `CMark.extensionNames` order.
    let pointers: [OpaquePointer]
    /// The `table` extension, which marks the nodes of GFM tables.
    var table: OpaquePointer { pointers[0] }
    /// `table` and `strikethrough`: the extensions that shape blocks or text.
    var blockPointers: [OpaquePointer] { Array(pointers[0...1]) }
    /// The same extensions as the `cmark_llist` `cmark_render_html` takes; never freed (it lives as long as the
    /// process, like the registry it points into).
    let list: UnsafeMutablePointer<cmark_llist>?

    /// Registers the core extensions (`cmark_gfm_core_extensions_ensure_registered`) and finds each by name
    /// (`cmark_find_syntax_extension`), building the list with `cmark_llist_append`.
    init() {
        cmark_gfm_core_extensions_ensure_registered()
        pointers = CMark.extensionNames.map { name in
            guard let found = cmark_find_syntax_extension(name) else {
                // A cmark-gfm build without its core extensions: no document could render as documented.
                fatalError("cmark-gfm has no '\(name)' extension")
            }
            return found
        }
        var list: UnsafeMutablePointer<cmark_llist>?
        for pointer in pointers {
            list = cmark_llist_append(cmark_get_default_mem_allocator(), list, UnsafeMutableRawPointer(pointer))
        }
        self.list = list
    }
}

/// A top-level block as cmark-gfm reports it: its kind, a heading's text, its start line (from 1; 0 when cmark gave
/// it none) and, for a paragraph without a start line, how many line breaks it holds.
struct CMarkBlock {
    var kind: Markdown.SourceBlock.Kind
    var text = ""
    var startLine: Int
    var lineBreaks = 0
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether the bytes hold `[` and a digit after it, which every citation marker does.
    var containsCitationOpener: Bool {
        var index = 1
        while index < count {
            if self[index - 1] == UInt8(ascii: "["), self[index] >= UInt8(ascii: "0"), self[index] <= UInt8(ascii: "9") {
                return true
            }
            index += 1
        }
        return false
    }

    /// Whether the bytes hold `![`, without which cmark makes no image.
    var containsImageOpener: Bool {
        var index = 1
        while index < count {
            if self[index] == UInt8(ascii: "[") && self[index - 1] == UInt8(ascii: "!") { return true }
            index += 1
        }
        return false
    }
}

/// A parsed cmark-gfm node tree: one owner, freed with `cmark_node_free` when released.
final class CMarkDocument {
    private let root: OpaquePointer
    private let extensions: Extensions

    fileprivate init(root: OpaquePointer, extensions: Extensions) {
        self.root = root
        self.extensions = extensions
    }

    deinit {
        cmark_node_free(root)
    }

    /// The whole document as HTML, from `cmark_render_html`.
    func html() -> String {
        render(root)
    }

    /// Each top-level block as HTML, in document order: `cmark_node_first_child` and `cmark_node_next` walk the
    /// root's children and `cmark_render_html` renders each subtree on its own.
    ///
    /// Joined, these equal `html()`: the HTML renderer keeps no state between blocks (footnotes, its only
    /// document-wide state, are off), starts each block with a newline only when the output so far does not end
    /// in one, and decides a paragraph's tightness from its parent list, which a child still has.
    /// A block that renders to nothing is left out (cmark drops link-reference-only paragraphs itself).
    func blocks() -> [String] {
        var blocks: [String] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            let html = render(node)
            if !html.isEmpty {
                blocks.append(html)
            }
            child = cmark_node_next(node)
        }
        return blocks
    }

    /// Each top-level block as HTML with the line it starts on (from 1; 0 when cmark gave it none), in document
    /// order, including those that render to nothing: as `blocks()`, with `cmark_node_get_start_line`.
    func blocksAndLines() -> [(html: String, line: Int)] {
        var blocks: [(html: String, line: Int)] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            blocks.append((render(node), Int(cmark_node_get_start_line(node))))
            child = cmark_node_next(node)
        }
        return blocks
    }

    /// Each top-level block as cmark reports it, in document order: `cmark_node_first_child` and `cmark_node_next`
    /// walk the root's children; `cmark_node_get_type`, `cmark_node_get_start_line`, `cmark_node_get_heading_level`,
    /// `cmark_node_get_fenced` and (for tables) `cmark_node_get_syntax_extension` describe each. A heading's text is
    /// read by `inlines(of:)`, and so are the line breaks of a paragraph cmark gives no position (see `Markdown`).
    func topLevelBlocks() -> [CMarkBlock] {
        Self.topLevelBlocks(of: root, extensions: extensions)
    }

    /// `topLevelBlocks()` of the tree under `root`, whoever owns it.
    static func topLevelBlocks(of root: OpaquePointer, extensions: Extensions) -> [CMarkBlock] {
        var blocks: [CMarkBlock] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            child = cmark_node_next(node)
            var block = CMarkBlock(kind: .other, startLine: Int(cmark_node_get_start_line(node)))
            switch cmark_node_get_type(node) {
            case CMARK_NODE_HEADING:
                block.kind = .heading(level: Int(cmark_node_get_heading_level(node)))
                block.text = inlines(of: node).text
            case CMARK_NODE_PARAGRAPH:
                block.kind = .paragraph
                if block.startLine < 1 { block.lineBreaks = inlines(of: node).breaks }
            case CMARK_NODE_LIST: block.kind = .list
            case CMARK_NODE_CODE_BLOCK:
                // It writes the fence's length, offset and character whether or not the block is fenced.
                var length: Int32 = 0, offset: Int32 = 0, character: CChar = 0
                block.kind = .codeBlock(fenced: cmark_node_get_fenced(node, &length, &offset, &character) != 0)
            case CMARK_NODE_BLOCK_QUOTE: block.kind = .blockQuote
            case CMARK_NODE_HTML_BLOCK: block.kind = .html
            case CMARK_NODE_THEMATIC_BREAK: block.kind = .thematicBreak
            default:
                if cmark_node_get_syntax_extension(node) == extensions.table { block.kind = .table }
            }
            blocks.append(block)
        }
        return blocks
    }

    /// The text of `node`'s inlines as a reader sees it (text and code spans as they read, escapes and entities
    /// resolved, line breaks as spaces, inline HTML left out; links and images give their text), and how many line
    /// breaks they hold. Walks the subtree with `cmark_iter_new`, `cmark_iter_next`, `cmark_iter_get_node` and
    /// `cmark_node_get_literal`.
    private static func inlines(of node: OpaquePointer) -> (text: String, breaks: Int) {
        guard let iterator = cmark_iter_new(node) else { return ("", 0) }
        defer { cmark_iter_free(iterator) }
        var text = ""
        var breaks = 0
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, let inline = cmark_iter_get_node(iterator)
            else { continue }
            switch cmark_node_get_type(inline) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                if let literal = cmark_node_get_literal(inline) { text += String(cString: literal) }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                text += " "
                breaks += 1
            default:
                break
            }
        }
        return (text, breaks)
    }

    /// Turns every image whose URL is not a `data:` URL into a link to it with the image's description as its text
    /// (an image inside a link gives just its description): the page then fetches nothing it was not sent, whatever
    /// the Content-Security-Policy that reaches the browser. Walks the tree with `cmark_iter_new` and
    /// `cmark_iter_next`, reads `cmark_node_get_type`, `cmark_node_get_url`, `cmark_node_get_title` and
    /// `cmark_node_parent`, and rebuilds with `cmark_node_new`, `cmark_node_set_url`, `cmark_node_set_title`,
    /// `cmark_node_first_child`, `cmark_node_append_child`, `cmark_node_insert_before` and `cmark_node_free` (the
    /// replaced image, unlinked first).
    func neutraliseImages() {
        var images: [OpaquePointer] = []
        if let iterator = cmark_iter_new(root) {
            while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
                guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator),
                      cmark_node_get_type(node) == CMARK_NODE_IMAGE
                else { continue }
                let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
                if !url.utf8.prefix(5).map({ $0 | 0x20 }).elementsEqual("data:".utf8) { images.append(node) }
            }
            cmark_iter_free(iterator)
        }
        // In document order, so an image in another's description is moved into its link before it is looked at.
        for image in images {
            var insideLink = false
            var ancestor = cmark_node_parent(image)
            while let node = ancestor, !insideLink {
                insideLink = cmark_node_get_type(node) == CMARK_NODE_LINK
                ancestor = cmark_node_parent(node)
            }
            let replacement: OpaquePointer?
            if insideLink {
                replacement = nil
            } else {
                let link = cmark_node_new(CMARK_NODE_LINK)!
                cmark_node_set_url(link, cmark_node_get_url(image))
                cmark_node_set_title(link, cmark_node_get_title(image))
                cmark_node_insert_before(image, link)
                replacement = link
            }
            while let child = cmark_node_first_child(image) {
                if let link = replacement {
                    cmark_node_append_child(link, child)
                } else {
                    cmark_node_insert_before(image, child)
                }
            }
            cmark_node_unlink(image)
            cmark_node_free(image)
        }
    }

    /// Makes the citation markers of the text links to their passages, and drops those whose numbers name none
    /// (`Markdown.Citations`). Merges adjacent text nodes first with `cmark_consolidate_text_nodes` (cmark leaves `[`,
    /// `2` and `]` as three when no link forms); walks the tree with `cmark_iter_new`, `cmark_iter_next`,
    /// `cmark_iter_get_event_type` and `cmark_iter_get_node`, skipping what is inside a link or image
    /// (`cmark_node_get_type`); reads `cmark_node_get_literal`; and rebuilds each text node that holds a marker with
    /// `cmark_node_new`, `cmark_node_set_literal`, `cmark_node_set_url`, `cmark_node_set_title`,
    /// `cmark_node_append_child`, `cmark_node_insert_before`, `cmark_node_unlink` and `cmark_node_free`.
    func linkCitations(_ citations: Markdown.Citations) {
        cmark_consolidate_text_nodes(root)
        var texts: [(node: OpaquePointer, bytes: [UInt8], markers: [Markdown.Citations.Marker])] = []
        if let iterator = cmark_iter_new(root) {
            var linkDepth = 0
            while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
                guard let node = cmark_iter_get_node(iterator) else { continue }
                let type = cmark_node_get_type(node)
                if type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE {
                    linkDepth += event == CMARK_EVENT_ENTER ? 1 : -1
                } else if type == CMARK_NODE_TEXT, linkDepth == 0, let literal = cmark_node_get_literal(node) {
                    let bytes = Array(String(cString: literal).utf8)
                    let markers = Markdown.Citations.markers(in: bytes)
                    if !markers.isEmpty { texts.append((node, bytes, markers)) }
                }
            }
            cmark_iter_free(iterator)
        }
        for (node, bytes, markers) in texts {
            var start = 0
            func text(_ end: Int) {
                guard end > start else { return }
                let piece = cmark_node_new(CMARK_NODE_TEXT)!
                cmark_node_set_literal(piece, String(decoding: bytes[start..<end], as: UTF8.self))
                cmark_node_insert_before(node, piece)
            }
            for marker in markers {
                let named = marker.numbers.filter { $0 >= 1 && $0 <= citations.links.count }
                // A marker that names nothing goes with the space before it: "memory [9]." reads "memory.".
                let spaceBefore = marker.range.lowerBound > start && bytes[marker.range.lowerBound - 1] == UInt8(ascii: " ")
                text(named.isEmpty && spaceBefore ? marker.range.lowerBound - 1 : marker.range.lowerBound)
                for number in named {
                    let link = cmark_node_new(CMARK_NODE_LINK)!
                    cmark_node_set_url(link, citations.links[number - 1].address)
                    cmark_node_set_title(link, citations.links[number - 1].title)
                    let label = cmark_node_new(CMARK_NODE_TEXT)!
                    cmark_node_set_literal(label, "[\(number)]")
                    cmark_node_append_child(link, label)
                    cmark_node_insert_before(node, link)
                }
                start = marker.range.upperBound
            }
            text(bytes.count)
            cmark_node_unlink(node)
            cmark_node_free(node)
        }
    }

    /// `node` and everything under it as HTML, from `cmark_render_html`, its code blocks given a Copy button and
    /// highlighted (`Markdown.CodeBlocks`); the C string is released with the default allocator's `free`, which
    /// allocated it.
    private func render(_ node: OpaquePointer) -> String {
        let rendered = cmark_render_html(node, CMark.options, extensions.list)!
        defer { cmark_get_default_mem_allocator().pointee.free(rendered) }
        return Markdown.CodeBlocks.render(String(cString: rendered))
    }
}
