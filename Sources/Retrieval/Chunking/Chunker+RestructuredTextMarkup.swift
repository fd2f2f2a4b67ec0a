// reStructuredText explicit markup (`.. `) and inline roles, reduced to the text a reader sees.
//
// Directives fall into a few families: noise (`index`, `toctree`, targets, comments, substitutions) is dropped with its
// body; code directives keep their body as a literal block; admonitions and version notes become a lead-in line
// ("Note:", "Changed in version 3.6:") kept with what follows; object descriptions (Sphinx's `function`, `class`…)
// keep their signature lines, kept with the description. Any other directive keeps its arguments, and every body
// that is kept is read as ordinary indented text. Roles show what Sphinx prints for them (`:func:`repr`` is "repr()",
// `:rfc:`4122`` is "RFC 4122"), and backslash escapes are the characters they escape (an escaped space is nothing).

extension Chunker.RestructuredTextReader {
    enum Directive {
        case drop
        case literal(Chunker.BlockKind)
        case admonition(String)
        case version(String)
        case signature
        case body
        case arguments
    }

    private static let dropped: Set<String> = [
        "index", "toctree", "highlight", "meta", "include", "literalinclude", "contents", "sectnum", "raw", "module",
        "currentmodule", "sectionauthor", "moduleauthor", "codeauthor", "testsetup", "testcleanup", "tabularcolumns",
        "default-role", "role", "image", "audit-event", "audit-event-table", "autosummary", "automodule", "autoclass",
        "autofunction", "program", "title", "footer", "header", "target-notes", "default-domain",
    ]
    private static let literals: Set<String> = [
        "code", "code-block", "sourcecode", "doctest", "testcode", "testoutput", "parsed-literal", "productionlist",
        "math",
    ]
    private static let admonitions: [String: String] = [
        "note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important", "caution": "Caution",
        "danger": "Danger", "attention": "Attention", "hint": "Hint", "error": "Error", "seealso": "See also",
        "todo": "Todo", "impl-detail": "CPython implementation detail",
    ]
    private static let versions: [String: String] = [
        "versionadded": "New in version", "versionchanged": "Changed in version",
        "deprecated": "Deprecated since version", "deprecated-removed": "Deprecated since version",
    ]
    private static let signatures: Set<String> = [
        "function", "method", "class", "attribute", "data", "exception", "decorator", "decoratormethod",
        "classmethod", "staticmethod", "abstractmethod", "coroutinefunction", "coroutinemethod", "describe", "object",
        "option", "cmdoption", "envvar", "opcode", "pdbcommand", "property", "type", "macro", "member", "var",
        "struct", "enum", "enumerator", "2to3fixer", "monitoring-event", "term",
    ]
    private static let bodies: Set<String> = [
        "only", "ifconfig", "glossary", "hlist", "container", "compound", "figure", "list-table", "epigraph",
        "highlights", "pull-quote", "line-block", "tab", "tabs", "cssclass", "rst-class",
    ]

    static func directive(named name: String) -> Directive {
        let base = name.split(separator: ":").last.map(String.init) ?? name
        if dropped.contains(base) { return .drop }
        if literals.contains(base) { return .literal(.code) }
        if base == "csv-table" { return .literal(.table) }
        if let label = admonitions[base] { return .admonition(label) }
        if let label = versions[base] { return .version(label) }
        if signatures.contains(base) || name.contains(":") { return .signature }
        if bodies.contains(base) { return .body }
        return .arguments
    }

    /// Reads the explicit markup block starting at `start`; returns the line to continue from.
    mutating func explicitMarkup(from start: Int) -> Int {
        let content = lines.content(start)
        let rest = content.dropFirst(2).drop(while: Chunker.UTF8Text.isBlank)
        let indent = lines.indent(start)
        // The end of the body is looked for only when the body is skipped or taken whole: a body that is read as
        // text is walked once, by the main loop, however deeply directives nest.
        func inBody(_ line: Int) -> Bool { line < lines.count && !lines.isBlank(line) && lines.indent(line) > indent }
        guard let first = rest.first, first != UInt8(ascii: "_"), first != UInt8(ascii: "|") else {
            return bodyEnd(after: start)
        }
        if first == UInt8(ascii: "[") {  // a footnote or citation: its text stays
            var line = start + 1
            while inBody(line) { line += 1 }
            var text = Array(rest)
            if line > start + 1 { text += [Chunker.UTF8Text.newline] + prose(from: start + 1, to: line) }
            add(.prose, Self.plainText(text[...])[...])
            return line
        }
        guard let header = Self.directiveHeader(rest) else { return bodyEnd(after: start) }  // a comment
        var arguments = Array(header.arguments)
        var body = start + 1
        while inBody(body), lines.content(body).first != UInt8(ascii: ":") {
            if !arguments.isEmpty { arguments.append(Chunker.UTF8Text.newline) }
            arguments += lines.content(body)
            body += 1
        }
        while inBody(body), lines.content(body).first == UInt8(ascii: ":") { body += 1 }
        let hasBody = inBody(lines.nextNonBlank(body))

        switch Self.directive(named: header.name) {
        case .drop:
            return bodyEnd(after: start)
        case .literal(let kind):
            let end = bodyEnd(after: start)
            let first = lines.nextNonBlank(body)
            if first < end { add(kind, dedented(from: first, to: end)[...]) }
            return max(end, body)
        case .admonition(let label):
            let lead = label + (arguments.isEmpty ? ":" : ": " + String(decoding: arguments, as: UTF8.self))
            add(.prose, Self.plainText(Array(lead.utf8)[...])[...], keepWithNext: hasBody)
            return body
        case .version(let label):
            let version = arguments.prefix { !Chunker.UTF8Text.isSpace($0) }
            let explanation = arguments.dropFirst(version.count).drop(while: Chunker.UTF8Text.isSpace)
            var lead = Array("\(label) ".utf8) + version
            lead += explanation.isEmpty ? Array((hasBody ? ":" : ".").utf8) : Array(": ".utf8) + explanation
            add(.prose, Self.plainText(lead[...])[...], keepWithNext: hasBody)
            return body
        case .signature:
            add(.prose, arguments[...], keepWithNext: hasBody)
            return body
        case .body:
            return body
        case .arguments:
            add(.prose, Self.plainText(arguments[...])[...], keepWithNext: hasBody)
            return body
        }
    }

    /// `name:: arguments`, the name made of letters, digits and `-_:.+`; nil for anything else (a comment).
    static func directiveHeader(_ text: ArraySlice<UInt8>) -> (name: String, arguments: ArraySlice<UInt8>)? {
        var index = text.startIndex
        while index + 1 < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: ":"), text[index + 1] == UInt8(ascii: ":"), index > text.startIndex {
                let name = String(decoding: text[text.startIndex..<index], as: UTF8.self).lowercased()
                let arguments = text[(index + 2)...]
                return (name, arguments[Chunker.UTF8Text.trimmed(arguments, arguments.indices)])
            }
            guard Chunker.UTF8Text.isAlphanumeric(byte) || "-_:.+".utf8.contains(byte) else { return nil }
            index += 1
        }
        return nil
    }

    // MARK: Inline markup

    /// The text with roles (`:ref:`Title <label>``, `:func:`~json.dumps``) reduced to what they display and
    /// hyperlink references (`` `Python <https://python.org>`_ ``) to their text. ``Literals`` stay as they are.
    static func plainText(_ text: ArraySlice<UInt8>) -> [UInt8] {
        let backtick = UInt8(ascii: "`")
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        let end = text.endIndex

        func closing(from start: Int) -> Int? {
            var search = start
            while search < min(end, start + 2000) {
                if text[search] == backtick { return search }
                search += 1
            }
            return nil
        }

        while index < end {
            // Copied a run at a time up to the next byte that may start markup (appending byte by byte costs a
            // uniqueness check each).
            var run = index
            while run < end, text[run] != UInt8(ascii: ":"), text[run] != backtick, text[run] != UInt8(ascii: "\\") {
                run += 1
            }
            if run > index {
                output.append(contentsOf: text[index..<run])
                index = run
                continue
            }
            let byte = text[index]
            let startsWord = index == text.startIndex || !Chunker.UTF8Text.isAlphanumeric(text[index - 1])
            if byte == UInt8(ascii: ":"), startsWord {
                var scan = index + 1
                while scan + 1 < end, scan - index < 40,
                      Chunker.UTF8Text.isAlphanumeric(text[scan]) || "-_.+:".utf8.contains(text[scan]) {
                    if text[scan] == UInt8(ascii: ":"), text[scan + 1] == backtick, scan > index + 1 { break }
                    scan += 1
                }
                if scan + 1 < end, text[scan] == UInt8(ascii: ":"), text[scan + 1] == backtick, scan > index + 1,
                   let close = closing(from: scan + 2) {
                    output += roleText(text[(scan + 2)..<close], role: text[(index + 1)..<scan])
                    index = close + 1
                    continue
                }
            } else if byte == backtick {
                if index + 1 < end, text[index + 1] == backtick {  // ``literal``: copy it through its closing pair
                    var scan = index + 2
                    while scan + 1 < end, !(text[scan] == backtick && text[scan + 1] == backtick) { scan += 1 }
                    let stop = scan + 1 < end ? scan + 2 : end
                    output += text[index..<stop]
                    index = stop
                    continue
                }
                if let close = closing(from: index + 1), close > index + 1 {
                    var after = close + 1
                    while after < end, after < close + 3, text[after] == UInt8(ascii: "_") { after += 1 }
                    output += after > close + 1 ? roleText(text[(index + 1)..<close], role: [])
                        : Array(text[(index + 1)..<close])
                    index = after
                    continue
                }
            }
            if byte == UInt8(ascii: "\\"), index + 1 < end {
                // A backslash escape is the character itself; an escaped space or newline is nothing.
                let next = text[index + 1]
                if !Chunker.UTF8Text.isSpace(next) { output.append(next) }
                index += 2
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// What a role or reference shows, as Sphinx writes it: the title before ` <target>`, else the target; `~a.b.c`
    /// shows `c`; a function or method gets its parentheses (`repr()`), an RFC or a PEP its name (`RFC 4122`).
    private static func roleText(_ content: ArraySlice<UInt8>, role: ArraySlice<UInt8>) -> [UInt8] {
        var text = content[Chunker.UTF8Text.trimmed(content, content.indices)]
        if text.last == UInt8(ascii: ">"), let open = text.lastIndex(of: UInt8(ascii: "<")) {
            let title = text[text.startIndex..<open]
            let trimmed = title[Chunker.UTF8Text.trimmed(title, title.indices)]
            if !trimmed.isEmpty { return Array(trimmed) }
            text = text[(open + 1)..<(text.endIndex - 1)]
        }
        if text.first == UInt8(ascii: "!") { text = text.dropFirst() }
        if text.first == UInt8(ascii: "~") {
            text = text.dropFirst()
            if let dot = text.lastIndex(of: UInt8(ascii: ".")), dot + 1 < text.endIndex { text = text[(dot + 1)...] }
        }
        // The role's name without its domain (`c:func` is `func`).
        let name = role[(role.lastIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? role.startIndex)...]
        guard name.count == 3 || name.count == 4, !text.isEmpty else { return Array(text) }
        // Sphinx's `add_function_parentheses`.
        if name.elementsEqual("func".utf8) || name.elementsEqual("meth".utf8), text.last != UInt8(ascii: ")") {
            return Array(text) + Array("()".utf8)
        }
        if name.elementsEqual("rfc".utf8) { return Array("RFC ".utf8) + text }
        if name.elementsEqual("pep".utf8) { return Array("PEP ".utf8) + text }
        return Array(text)
    }
}
