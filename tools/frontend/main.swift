// quarry-frontend: turns the front end's sources in Resources/ into Swift source holding their bytes, so the
// binary carries its own page. Run by the FrontEndGenerator build-tool plugin on every build that changes them.
//
//   quarry-frontend <Resources folder> <output .swift file>
//
// Steps: put in the names of Wire.table ({{wire:KEY}}), check what the page's policy and a kiosk need (no
// inline script or style, nothing fetched from another origin, no unknown names), minify conservatively
// (comments and indentation only), hash, gzip -9, resolve the shell's {{asset:NAME}} links to the hashed paths,
// make the shell once per language of Resources/words/ ({{word:KEY}}, {{language}}; Words.swift) and give the
// stylesheet its words as custom properties, and write the Swift. Any problem stops the build with a message
// naming the file.
import Crypto
import GeneratorSupport
import Gzip
import TurboStream
#if canImport(Glibc)
import Glibc
#endif

/// A problem that stops the build (GeneratorSupport's).
typealias BuildError = GeneratorError

/// The assets, in the order they are emitted: the ones the shell links, and the admin pages' script (the server
/// links it from their frame).
let assets: [(file: String, stem: String, ext: String, contentType: String, kind: SourceKind, inShell: Bool)] = [
    ("quarry.css", "quarry", "css", "text/css; charset=utf-8", .css, true),
    ("quarry.js", "quarry", "js", "text/javascript; charset=utf-8", .javascript, true),
    ("admin.js", "admin", "js", "text/javascript; charset=utf-8", .javascript, false),
]

func run(_ arguments: [String]) throws {
    guard arguments.count == 3 else { throw BuildError(description: "usage: quarry-frontend <Resources> <output.swift>") }
    let resources = arguments[1], output = arguments[2]
    var built: [BuiltAsset] = []
    var paths: [String: String] = [:]
    let words = try BuildWords(folder: "\(resources)/words")
    for asset in assets {
        let path = "\(resources)/\(asset.file)"
        var source = try substituteWire(in: try readFile(path), file: asset.file)
        switch asset.kind {
        case .css: source = try words.customProperties(in: source, file: asset.file)
        case .javascript where source.contains("{{word:"):
            throw BuildError(description: "\(asset.file): the script's words come from the page (data- attributes), not {{word:…}}")
        default: break
        }
        try check(source, kind: asset.kind, file: asset.file)
        let text = minify(source, kind: asset.kind)
        let bytes = Array(text.utf8)
        let hash = String(ByteEncoding.hex(SHA256.hash(bytes)).prefix(16))
        let served = "/assets/\(asset.stem).\(hash).\(asset.ext)"
        paths[asset.file] = served
        built.append(BuiltAsset(path: served, contentType: asset.contentType, text: text, hash: hash,
                                gzipped: try Gzip.compress(bytes, level: 9)))
    }
    var shell = try substituteWire(in: try readFile("\(resources)/shell.html"), file: "shell.html")
    try check(shell, kind: .html, file: "shell.html")
    for (file, path) in paths where assets.contains(where: { $0.file == file && $0.inShell }) {
        guard shell.contains("{{asset:\(file)}}") else { throw BuildError(description: "shell.html does not link \(file)") }
        shell = shell.replacing("{{asset:\(file)}}", with: path)
    }
    shell = minify(shell, kind: .html)
    var shells: [(language: String, html: String)] = []
    for language in words.languages {
        let html = try BuildWords.putIn(shell, language, file: "shell.html")
        if let leftover = html.firstMatch(of: /\{\{(?!streams\}\}|account\}\}|kiosk\}\})[^}]*\}\}/) {
            throw BuildError(description: "shell.html: \(leftover.output) is not a known placeholder")
        }
        guard html.contains("{{streams}}") else { throw BuildError(description: "shell.html has no {{streams}}") }
        guard html.contains("{{account}}") else { throw BuildError(description: "shell.html has no {{account}}") }
        guard html.contains("{{kiosk}}") else { throw BuildError(description: "shell.html has no {{kiosk}}") }
        shells.append((language.code, html))
    }
    try writeFile(output, emitSwift(shells: shells, assets: built))
}

do {
    try run(CommandLine.arguments)
} catch {
    var line = "error: front end: \(error)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}
