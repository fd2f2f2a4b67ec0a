/// GitHub Flavored Markdown to HTML, safe to put in a page: cmark-gfm with the `table`, `strikethrough`,
/// `autolink` and `tagfilter` extensions and without `CMARK_OPT_UNSAFE`.
///
/// Raw HTML in the input never reaches the output as markup (cmark-gfm writes `<!-- raw HTML omitted -->` in its
/// place), and links to `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs lose their target.
/// The option choices are listed on `CMark.options`.
///
/// Thread-safe: call from any thread. Parsing is serialised process-wide because cmark-gfm 0.29 mutates a global
/// table while it parses inlines; rendering runs in parallel.
public enum Markdown {
    /// Renders `markdown` as an HTML fragment (empty for empty input).
    ///
    /// Calls `cmark_parser_feed`, `cmark_parser_finish` and `cmark_render_html` (see `CMark`).
    public static func html(_ markdown: String) -> String {
        CMark.parse(markdown).html()
    }
}
