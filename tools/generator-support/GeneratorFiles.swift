// What the build-time generators (tools/frontend, tools/words) share: reading and writing their files, and a
// Swift literal for any text. A build tool's dependencies are built for the host, without Foundation.
#if canImport(Glibc)
import Glibc
#endif

/// A generator's problem, said for the person building.
public struct GeneratorError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// The UTF-8 text of the file at `path`.
public func readFile(_ path: String) throws(GeneratorError) -> String {
    guard let file = fopen(path, "rb") else { throw GeneratorError(description: "cannot read \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { throw GeneratorError(description: "\(path) is not UTF-8") }
    return text
}

/// Writes `text` to the file at `path`, replacing it.
public func writeFile(_ path: String, _ text: String) throws(GeneratorError) {
    guard let file = fopen(path, "wb") else { throw GeneratorError(description: "cannot write \(path)") }
    defer { fclose(file) }
    let bytes = Array(text.utf8)
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw GeneratorError(description: "cannot write \(path)") }
}

/// `text` as a Swift raw multi-line string literal: as many `#` as it needs to hold any quote or backslash as is.
public func literal(_ text: String) -> String {
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}
