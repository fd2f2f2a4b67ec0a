// What the highlighter knows of a language: a table, not a parser. See `Highlighter` for how it is read and why a
// table-driven lexer rather than GNU source-highlight or tree-sitter (docs/chat.md, "Code").
extension Markdown {
    /// A token's kind, shown as `<span class="…">` with the class named here (styled in `Resources/quarry.css`).
    enum Style: UInt8, CaseIterable {
        case keyword, string, comment, number, type, literal, function, meta, variable, tag, attribute

        /// The class the token's span carries.
        var className: String {
            switch self {
            case .keyword: "kw"
            case .string: "str"
            case .comment: "com"
            case .number: "num"
            case .type: "typ"
            case .literal: "lit"
            case .function: "fn"
            case .meta: "meta"
            case .variable: "var"
            case .tag: "tag"
            case .attribute: "attr"
            }
        }
    }

    /// Text between two delimiters, shown in one style: a comment, a string, an annotation, a preprocessor line.
    struct Delimited {
        /// What opens it.
        var open: [UInt8]
        /// What closes it; empty: the end of the line.
        var close: [UInt8]
        /// Its style.
        var style: Style
        /// A backslash takes the byte after it, so an escaped delimiter does not close.
        var escapes = false
        /// It may go on over the next lines (a block comment, a triple-quoted string): the lexer's state then says
        /// so at the start of the next line.
        var multiline = false
        /// It opens only where a word may start (after a space, an opening bracket, `;`, `|`, `&` or at the start
        /// of the line): the shell's `#` comment, not the `#` in `$#` or `a#b`.
        var wordStart = false
        /// It opens only as the first thing on its line but blanks: C's `#include`.
        var lineStart = false
        /// It holds one character or one escape (`'x'`, `'\n'`), or it is not one: a Rust lifetime `'a` is not a
        /// character literal.
        var character = false

        init(_ open: String, _ close: String, _ style: Style, escapes: Bool = false, multiline: Bool = false,
             wordStart: Bool = false, lineStart: Bool = false, character: Bool = false) {
            self.open = Array(open.utf8)
            self.close = Array(close.utf8)
            self.style = style
            self.escapes = escapes
            self.multiline = multiline
            self.wordStart = wordStart
            self.lineStart = lineStart
            self.character = character
        }
    }

    /// One language: its words, its delimited runs and a few switches for what tables cannot say.
    struct Grammar {
        /// The delimited runs, tried in order where one could open (so `"""` goes before `"`).
        var delimited: [Delimited] = []
        /// Words shown as keywords.
        var keywords: Set<String> = []
        /// Words shown as types (built-in types, well-known classes).
        var types: Set<String> = []
        /// Words shown as literals (`true`, `nil`, `None`).
        var literals: Set<String> = []
        /// Words shown as functions (a shell's built-in commands).
        var builtins: Set<String> = []
        /// Words are compared in lower case (SQL); the sets hold lower-case words.
        var caseInsensitive = false
        /// Bytes that may be part of a word besides letters, digits, `_` and non-ASCII (`$` in JavaScript, `-` in
        /// CSS and YAML).
        var wordBytes: [UInt8] = []
        /// A word starting with a capital letter is a type (Swift, Java, Rust, TypeScript).
        var capitalizedTypes = false
        /// A word followed by `(` is a function (or `!(` for a Rust macro).
        var calls = true
        /// A word or string followed by `:` is a key (JSON, YAML).
        var keys = false
        /// `$name`, `${…}`, `$1`, `$?` are variables (the shell).
        var variables = false
        /// A word after this byte is an annotation (`@Test`, `@dataclass`).
        var annotation: UInt8?
        /// Short words that make the string right after them one string with them (Python's `f"…"`, `rb'…'`).
        var stringPrefixes: Set<String> = []
        /// The language is HTML or XML: tags, attributes and entities, between the delimited runs.
        var markup = false
        /// The language is CSS: selectors outside braces, properties and values inside.
        var css = false
    }
}
