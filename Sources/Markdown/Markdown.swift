/// GitHub Flavored Markdown to HTML, safe to put in a page: cmark-gfm with the `table`, `strikethrough`,
/// `autolink` and `tagfilter` extensions and without `CMARK_OPT_UNSAFE`.
///
/// Raw HTML in the input never reaches the output as markup (cmark-gfm writes `<!-- raw HTML omitted -->` in its
/// place), links to `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs lose their target, and only
/// `data:` images are shown as images (any other becomes a link), so the page loads nothing from elsewhere.
/// A render's cost is bounded by `Limits`.
/// The option choices are listed on `CMark.options`.
///
/// Thread-safe: call from any thread. Parsing is serialised process-wide because cmark-gfm 0.29 mutates a global
/// table while it parses inlines; rendering runs in parallel.
public enum Markdown {
    /// Renders `markdown` as an HTML fragment (empty for empty input), its tables kept within `limits` and each
    /// image whose URL is not a `data:` URL shown as a link to it with its description as the text.
    ///
    /// With `citations`, an answer's citation markers (`[2]`) become links to the passages they name
    /// (`Markdown.Citations`).
    ///
    /// Calls `cmark_parser_feed`, `cmark_parser_finish` and `cmark_render_html` (see `CMark`).
    public static func html(_ markdown: String, limits: Limits = .standard, citations: Citations? = nil) -> String {
        CMark.parse(markdown, limits: limits, citations: citations).html()
    }

    /// The attribute of the Copy button each code block starts with (`<button … data-copy="">`, the code after it
    /// is copied); the chat puts one with an answer's id after each answer. `Wire.Attribute.copy` is the same name.
    public static let copyAttribute = "data-copy"
}
