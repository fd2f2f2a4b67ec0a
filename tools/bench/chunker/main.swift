// quarry-chunker-bench: how fast the chunker alone reads text formats (no SQLite, no hashing, no file reads timed),
// and which titles it gives them.
//
//   quarry-chunker-bench --format rst|md|txt|html [--suffix .rst.txt] [--repeat N] [--titles | --odd-titles | --dump]
//                        DIR...
//
// Every file under the folders whose name ends in the suffix (the format's usual one by default) is read into memory
// first; then the whole set is parsed N times (3 by default) on one thread and the best pass is reported as MB/s of
// source, by the wall clock and by the thread's CPU time (steadier on a busy machine). `--titles` prints each file's title; `--odd-titles` prints only titles that look like reST markup (start
// with ".." or ":", or hold "::"), then their count; `--dump` prints every chunk with its heading path. Build it in
// release mode:
//
//   swift build -c release --scratch-path .build-text --product quarry-chunker-bench
//   .build-text/release/quarry-chunker-bench --format rst /usr/share/doc/python3.11/html/_sources
import Retrieval
#if canImport(Glibc)
import Glibc
#endif

/// Seconds on `clock` (the wall clock, or this thread's CPU time, which other processes on the machine do not stretch).
func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

/// Every file under `folder` whose name ends in `suffix`, sorted by path.
func files(under folder: String, suffix: String) -> [String] {
    var found: [String] = []
    guard let directory = opendir(folder) else { return found }
    var names: [String] = []
    while let entry = readdir(directory) {
        names.append(withUnsafeBytes(of: entry.pointee.d_name) {
            String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
        })
    }
    closedir(directory)
    for name in names.sorted() where name != "." && name != ".." {
        let path = folder + "/" + name
        var info = stat()
        guard stat(path, &info) == 0 else { continue }
        if info.st_mode & S_IFMT == S_IFDIR {
            found += files(under: path, suffix: suffix)
        } else if name.hasSuffix(suffix) {
            found.append(path)
        }
    }
    return found
}

func fixed(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

var format = DocumentFormat.restructuredText
var suffix: String?
var repeats = 3
var titles = false
var oddTitles = false
var dump = false
var folders: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--format":
        switch arguments.popFirst() ?? "" {
        case "md", "markdown": format = .markdown
        case "txt", "text": format = .text
        case "html": format = .html
        default: format = .restructuredText
        }
    case "--suffix": suffix = arguments.popFirst()
    case "--repeat": repeats = max(1, Int(arguments.popFirst() ?? "") ?? 3)
    case "--titles": titles = true
    case "--odd-titles": oddTitles = true
    case "--dump": dump = true
    default: folders.append(argument)
    }
}
let defaultSuffix = [DocumentFormat.markdown: ".md", .text: ".txt", .html: ".html"][format] ?? ".rst"
let paths = folders.flatMap { files(under: $0, suffix: suffix ?? defaultSuffix) }
let documents = paths.compactMap { path in readFile(path).map { (path, $0) } }
let bytes = documents.reduce(0) { $0 + $1.1.count }
let chunker = Chunker()

var best = Double.infinity
var bestCPU = Double.infinity
var chunks = 0
var odd = 0
for pass in 0..<repeats {
    chunks = 0
    let start = now()
    let startCPU = now(CLOCK_THREAD_CPUTIME_ID)
    for (path, text) in documents {
        guard let document = try? chunker.parse(text, format: format, fallbackTitle: "(fallback)") else { continue }
        chunks += document.chunks.count
        if pass == 0, dump {
            print("=== \(path)\ntitle: \(document.title)")
            for chunk in document.chunks { print("--- \(chunk.headingPath.joined(separator: " › "))\n\(chunk.text)") }
        }
        if pass == 0, titles || oddTitles {
            let looksLikeMarkup = document.title.hasPrefix("..") || document.title.hasPrefix(":")
                || document.title.contains("::")
            if looksLikeMarkup { odd += 1 }
            if titles || looksLikeMarkup { print("\(document.title)\t\(path)") }
        }
    }
    best = min(best, now() - start)
    bestCPU = min(bestCPU, now(CLOCK_THREAD_CPUTIME_ID) - startCPU)
}
if oddTitles { print("titles that look like markup: \(odd)") }
let megabytes = Double(bytes) / 1_000_000
print("\(format.rawValue): \(documents.count) files, \(fixed(megabytes)) MB, \(chunks) chunks, best of \(repeats): "
    + "\(fixed(best * 1000)) ms, \(fixed(megabytes / best)) MB/s (CPU time \(fixed(bestCPU * 1000)) ms, "
    + "\(fixed(megabytes / bestCPU)) MB/s)")
