// Every raw cmark-gfm call of this module lives in this file.
//
// Threading rule (cmark-gfm 0.29.0.gfm.6):
// - A parser and the node tree it returns belong to one thread at a time; nothing here is shared.
// - The syntax-extension registry is global: `cmark_gfm_core_extensions_ensure_registered` must run once before
//   any parser looks an extension up, and it is not itself thread-safe.
// - Parsing is NOT reentrant across threads: `process_inlines` (inside `cmark_parser_finish`) adds each attached
//   extension's special characters (`~`, `:`, `w`, `|`…) to the process-global `SPECIAL_CHARS` table and removes
//   them again when it is done. Two parsers finishing at once clear each other's characters, and strikethrough or
//   autolinks silently go missing. So every parse runs under `CMark.parseLock`. Rendering a finished tree to HTML
//   touches no global state and runs outside the lock.
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

    /// Parses `markdown` into a document tree with `cmark_parser_new`, `cmark_parser_attach_syntax_extension`,
    /// `cmark_parser_feed` and `cmark_parser_finish`.
    static func parse(_ markdown: String) -> CMarkDocument {
        let extensions = Self.extensions
        var text = markdown
        return parseLock.withLock {
            // cmark-gfm's allocator aborts the process when memory runs out, so the parser and the tree
            // cannot be NULL.
            let parser = cmark_parser_new(options)!
            defer { cmark_parser_free(parser) }
            for syntaxExtension in extensions.pointers {
                cmark_parser_attach_syntax_extension(parser, syntaxExtension)
            }
            // By buffer and length rather than as a C string, so an embedded NUL does not end the input
            // (cmark replaces it with U+FFFD).
            text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    cmark_parser_feed(parser, chars.baseAddress, chars.count)
                }
            }
            return CMarkDocument(root: cmark_parser_finish(parser)!, extensions: extensions)
        }
    }
}

/// The registered GFM extensions; immutable after `init`, owned by the global registry for the whole process.
final class Extensions: @unchecked Sendable {
    /// The `cmark_syntax_extension` pointers, in `CMark.extensionNames` order.
    let pointers: [OpaquePointer]
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

    /// `node` and everything under it as HTML, from `cmark_render_html`; the C string is released with the default
    /// allocator's `free`, which allocated it.
    private func render(_ node: OpaquePointer) -> String {
        let rendered = cmark_render_html(node, CMark.options, extensions.list)!
        defer { cmark_get_default_mem_allocator().pointee.free(rendered) }
        return String(cString: rendered)
    }
}
