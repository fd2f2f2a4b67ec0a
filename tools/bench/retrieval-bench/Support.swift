// Small helpers of the retrieval benchmark: options, clocks, files, percentiles and the printed table.
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// `--name value` pairs; `--quick` alone.
func arguments() -> [String: String] {
    var out: [String: String] = [:]
    var args = CommandLine.arguments.dropFirst()
    while let name = args.popFirst() {
        guard name.hasPrefix("--") else { continue }
        let key = String(name.dropFirst(2))
        if key == "quick" { out[key] = "1" } else { out[key] = args.popFirst() ?? "" }
    }
    return out
}

/// Seconds on the monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func readText(_ path: String) -> String? {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
}

func readBytes(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return bytes
}

/// A JSON file's value, or nil when there is no such file or it is not JSON.
func readJSON(_ path: String?) -> JSONValue? {
    path.flatMap(readText).flatMap { try? JSONValue.parse($0) }
}

func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
}

func exists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

/// The absolute path with symlinks resolved, or the path itself.
func resolved(_ path: String) -> String {
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
}

/// The corpus's content pages, as tools/corpus/corpus.py chooses them (used when no --selection is given).
func pages(_ root: String) -> [String] {
    var out: [String] = []
    func walk(_ folder: String) {
        guard let directory = opendir(folder) else { return }
        var names: [String] = []
        while let entry = readdir(directory) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
        }
        closedir(directory)
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                if !["_static", "_sources", "_images", "_downloads"].contains(name) { walk(path) }
            } else if name.hasSuffix(".html"), !["search.html", "py-modindex.html"].contains(name), !name.hasPrefix("genindex") {
                out.append(path)
            }
        }
    }
    walk(root)
    return out
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func fixed(_ value: Double, _ places: Int = 2) -> String {
    if places == 0 { return "\(Int(value.rounded()))" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int((value * scale).rounded())
    let whole = n / Int(scale), fraction = abs(n % Int(scale))
    let digits = String(fraction)
    return "\(n < 0 && whole == 0 ? "-" : "")\(whole)." + String(repeating: "0", count: places - digits.count) + digits
}

/// A rate for the table: one decimal below 100, whole above.
func rate(_ value: Double, _ unit: String) -> String {
    "\(fixed(value, value < 100 ? 1 : 0)) \(unit)"
}

/// One row of the table: measure, Quarry's figure, the reference's, the target, PASS/FAIL.
func line(_ label: String, _ value: String, _ reference: String = "", _ target: String = "", _ verdict: String = "") {
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
    print(pad(label, 46) + pad(value, 18) + pad(reference, 16) + pad(target, 14) + verdict)
}

/// "PASS" or "FAIL", or nothing when the run does not judge (the quick run judges no speed).
func verdict(_ passed: Bool, judged: Bool = true) -> String {
    judged ? (passed ? "PASS" : "FAIL") : ""
}
