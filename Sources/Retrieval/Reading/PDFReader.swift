// PDF: the text layer through poppler's command-line tools, run as child processes (ChildProcess.swift).
//
// Why child processes and not libpoppler linked in: poppler is GPL, and a separate program keeps it outside Quarry's
// binary; a PDF that makes poppler hang or crash costs a killed child (time limit, output limit), never the server.
// Debian's poppler-utils (22.12) gives everything needed:
// - `pdftotext -enc UTF-8 -htmlmeta - -` reads the file's bytes on stdin (the bytes the ingester hashed, so the text
//   is of the version it recorded) and writes XHTML: `<title>` is the PDF's Title metadata, `<pre>` its text in
//   reading order, each page ended by a form feed. libxml2 reads the head; the text inside `<pre>` is not escaped
//   by poppler, so it is taken as it stands (PDFReader+Poppler.swift).
// - `pdftohtml -xml -i -q -stdout -f 1 -l 1 <path>` prints the document's whole outline (bookmarks) as nested
//   `<outline><item page="3">…</item><outline>…</outline></outline>` while laying out only page 1 (about 15 ms for a
//   10-page PDF, 20 ms for 78 pages), read by libxml2. It cannot read stdin, so it reads the file; it runs on a thread
//   of its own while pdftotext runs, so on two cores the outline costs no wall time (on 30 PDFs of the Python
//   documentation pdftohtml alone takes about 15 % of pdftotext's time: 0.40 s against 2.5 s).
// PDFReader+Layout.swift turns pages into paragraphs and places the outline's headings (PDFReader+RunningLines.swift
// drops running headers and footers); PDFReader+Title.swift chooses the title.
#if canImport(Glibc)
internal import Glibc
#endif
internal import Locking

/// How PDFs are converted to text: poppler's `pdftotext` (and `pdftohtml` for the outline), run as child processes.
public struct PDFConverter: Sendable {
    /// The folder holding `pdftotext` and `pdftohtml`.
    public var toolFolder: String
    /// The most seconds one conversion may take before it is killed.
    public var timeoutSeconds: Int
    /// The most bytes of text one PDF may give (64 MB); a PDF that gives more is refused.
    public var maxTextBytes: Int

    /// Poppler's tools in `toolFolder` (Debian's `/usr/bin`), killed after `timeoutSeconds` or `maxTextBytes` of text.
    public init(toolFolder: String = "/usr/bin", timeoutSeconds: Int = 60, maxTextBytes: Int = 64 << 20) {
        self.toolFolder = toolFolder
        self.timeoutSeconds = timeoutSeconds
        self.maxTextBytes = maxTextBytes
    }
}

enum PDFReader {
    /// Reads the PDF whose content is `bytes` and whose file is at `path`: its title, its outline's headings and its
    /// text as paragraphs, each on its page.
    static func read(_ bytes: [UInt8], path: String, converter: PDFConverter) throws(DocumentReadError) -> Outline {
        guard hasSignature(bytes) else { throw .damaged("not a PDF (no %PDF- signature at its start)") }

        let bookmarks = Locked<[Bookmark]>([])
        let outlineReader = spawnThread { bookmarks.withLock { $0 = readBookmarks(path: path, converter: converter) } }
        let text: PopplerText
        do {
            text = try readText(bytes, converter: converter)
        } catch {
            outlineReader?.join()
            throw error
        }
        if let outlineReader {
            outlineReader.join()
        } else {
            // No thread to be had: read the outline here, after the text.
            bookmarks.withLock { $0 = readBookmarks(path: path, converter: converter) }
        }

        var layout = Layout(text: text.text, bookmarks: bookmarks.current)
        layout.run()
        let title = documentTitle(metadata: text.title, bookmarks: layout.placedBookmarks, firstLine: layout.firstLine)
        return Outline(title: title, elements: layout.elements, titleIndex: layout.titleIndex)
    }

    /// Whether `%PDF-` is within the first 1024 bytes (where readers look for it; some files have a prefix).
    static func hasSignature(_ bytes: [UInt8]) -> Bool {
        let signature = Array("%PDF-".utf8)
        let end = min(bytes.count, 1024) - signature.count
        guard end >= 0 else { return false }
        return (0...end).contains { start in bytes[start] == 0x25 && bytes[start..<start + signature.count].elementsEqual(signature) }
    }

    // MARK: pdftotext

    /// Runs pdftotext on `bytes` and reads its XHTML; throws the reason a file gives no text.
    static func readText(_ bytes: [UInt8], converter: PDFConverter) throws(DocumentReadError) -> PopplerText {
        let outcome = try run("pdftotext", ["-enc", "UTF-8", "-htmlmeta", "-", "-"], input: bytes,
                              converter: converter, outputLimit: converter.maxTextBytes)
        if outcome.timedOut { throw .timedOut(seconds: converter.timeoutSeconds) }
        if outcome.outputLimitHit {
            throw .refused("its text is larger than \(converter.maxTextBytes >> 20) MB, more than Quarry reads from one PDF")
        }
        let errors = outcome.stderrText
        switch outcome.termination {
        case .signalled(let signal):
            throw .damaged("pdftotext stopped on it with signal \(signal)")
        case .exited(1) where errors.contains("Incorrect password"):
            throw .encrypted
        case .exited(3):
            // Permission error: the PDF's permissions forbid copying its text (poppler before 21.04 enforced it).
            throw .refused("its author does not allow copying its text (a PDF permission): save a copy without it")
        case .exited(let status) where status != 0:
            throw .damaged(failureDetail(errors, status: status))
        case .exited:
            break
        }
        let text = PopplerText(xhtml: outcome.stdout)
        if text.text.allSatisfy(Chunker.UTF8Text.isSpace) {
            // Text that could not be read because the file is broken is not a missing text layer.
            if errors.contains("Error") { throw .damaged(failureDetail(errors, status: 0)) }
            throw .noTextLayer
        }
        return text
    }

    /// A short reason from pdftotext's stderr: its last error message, without poppler's category
    /// ("Syntax Error: Couldn't read xref table" → "pdftotext could not read it (Couldn't read xref table)").
    static func failureDetail(_ stderr: String, status: Int32) -> String {
        let lines = stderr.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
        guard let last = lines.last(where: { $0.contains("Error") }) ?? lines.last else {
            return "pdftotext could not read it (exit status \(status))"
        }
        var message = Substring(last)
        // "Syntax Error: …", "Syntax Error (1234): …", "Command Line Error: …"
        if let colon = message.firstRange(of: ": ") { message = message[colon.upperBound...] }
        return "pdftotext could not read it (\(message.prefix(100)))"
    }

    // MARK: pdftohtml

    /// The document's outline, from pdftohtml; empty when it has none or pdftohtml fails (the text is read anyway).
    static func readBookmarks(path: String, converter: PDFConverter) -> [Bookmark] {
        // A path is never taken for an option.
        let file = path.hasPrefix("-") ? "./" + path : path
        guard let outcome = try? run("pdftohtml", ["-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "1", file],
                                     input: nil, converter: converter, outputLimit: 16 << 20),
              outcome.termination == .exited(0), !outcome.timedOut, !outcome.outputLimitHit
        else { return [] }
        return PopplerOutline.bookmarks(xml: outcome.stdout)
    }

    /// Runs one of poppler's tools from the converter's folder.
    private static func run(
        _ tool: String, _ arguments: [String], input: [UInt8]?, converter: PDFConverter, outputLimit: Int
    ) throws(DocumentReadError) -> ChildProcess.Outcome {
        do {
            return try ChildProcess.run(converter.toolFolder + "/" + tool, arguments, input: input,
                                        seconds: Double(converter.timeoutSeconds), stdoutLimit: outputLimit)
        } catch {
            if error.isMissing { throw .converterMissing(program: tool, package: "poppler-utils") }
            throw .refused("\(tool) could not be started (\(String(cString: strerror(error.errno))))")
        }
    }
}
