// Substituting Wire's names, checking, and conservative minifying of the front end's sources.
import GeneratorSupport
import TurboStream

enum SourceKind { case html, css, javascript }

/// The text with every {{wire:KEY}} replaced by Wire.table's value; an unknown key is an error.
func substituteWire(in text: String, file: String) throws -> String {
    let values = Dictionary(Wire.table.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    var out = ""
    var rest = Substring(text)
    while let match = rest.firstMatch(of: /\{\{wire:([A-Za-z0-9.]+)\}\}/) {
        out += rest[..<match.range.lowerBound]
        guard let value = values[String(match.output.1)] else {
            throw BuildError(description: "\(file): {{wire:\(match.output.1)}} is not in Wire.table")
        }
        out += value
        rest = rest[match.range.upperBound...]
    }
    out += rest
    if let stray = out.firstMatch(of: /\{\{wire:[^}]*\}\}/) {
        throw BuildError(description: "\(file): malformed placeholder \(stray.output)")
    }
    return out
}

/// What the page's Content-Security-Policy and a kiosk without internet require of the sources.
func check(_ text: String, kind: SourceKind, file: String) throws {
    func fail(_ why: String) -> BuildError { BuildError(description: "\(file): \(why)") }
    if text.contains("http://") || text.contains("https://") { throw fail("refers to another origin; the page fetches nothing from outside") }
    switch kind {
    case .html:
        if text.firstMatch(of: /<script(?![^>]*\bsrc=)[^>]*>/) != nil { throw fail("has an inline <script>; the policy forbids it") }
        if text.firstMatch(of: /\son[a-z]+\s*=/) != nil { throw fail("has an inline event handler attribute; the policy forbids it") }
        if text.firstMatch(of: /\sstyle\s*=/) != nil || text.contains("<style") { throw fail("has inline style; the policy forbids it") }
    case .css:
        if text.contains("@import") { throw fail("uses @import; one stylesheet only") }
    case .javascript:
        for forbidden in ["eval(", "new Function", "document.write", "setTimeout(\"", "innerHTML +="] where text.contains(forbidden) {
            throw fail("uses \(forbidden)")
        }
    }
}

/// Removes comments and indentation, nothing else: no renaming, no reordering, line breaks kept where a
/// statement could depend on them. Strings and template literals are left exactly as written.
func minify(_ text: String, kind: SourceKind) -> String {
    let stripped = kind == .html ? text : stripComments(text, lineComments: kind == .javascript)
    var lines: [String] = []
    for line in stripped.split(separator: "\n", omittingEmptySubsequences: true) {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        var end = trimmed.endIndex
        while end > trimmed.startIndex, trimmed[trimmed.index(before: end)] == " " { end = trimmed.index(before: end) }
        if end > trimmed.startIndex { lines.append(String(trimmed[..<end])) }
    }
    // CSS has no statements that a line break ends, so its lines can be joined.
    return kind == .css ? lines.joined(separator: "") : lines.joined(separator: "\n") + "\n"
}

/// Removes /* */ comments (and // comments for JavaScript) outside strings, template literals and regular
/// expression literals.
func stripComments(_ text: String, lineComments: Bool) -> String {
    let s = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    var lastSignificant: Unicode.Scalar = "\n"
    while i < s.count {
        let c = s[i], next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
        if c == "/" && next == "*" {
            i += 2
            while i + 1 < s.count && !(s[i] == "*" && s[i + 1] == "/") { i += 1 }
            i += 2
            continue
        }
        if lineComments && c == "/" && next == "/" {
            while i < s.count && s[i] != "\n" { i += 1 }
            continue
        }
        if c == "\"" || c == "'" || c == "`" || (lineComments && c == "/" && "(,=:[!&|?{};\n".unicodeScalars.contains(lastSignificant)) {
            // A string, template literal or regular expression: copied through to its closing delimiter.
            out.append(c)
            i += 1
            var inClass = false
            while i < s.count {
                let d = s[i]
                out.append(d)
                i += 1
                if d == "\\" && i < s.count { out.append(s[i]); i += 1; continue }
                if c == "/" && d == "[" { inClass = true }
                if c == "/" && d == "]" { inClass = false }
                if d == c && !inClass { break }
            }
            lastSignificant = c
            continue
        }
        out.append(c)
        if c != " " && c != "\t" { lastSignificant = c }
        i += 1
    }
    return String(out)
}
