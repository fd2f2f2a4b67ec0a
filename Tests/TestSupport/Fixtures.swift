// Shared by the test targets: files committed beside the tests (`Tests/<Module>Tests/Fixtures/…`).
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The bytes of `Fixtures/<name>` in the folder of the test file calling this (`#filePath`), or an empty array
/// when it cannot be read (the test's expectations then fail and name the file).
public func fixture(_ name: String, testFile: String = #filePath) -> [UInt8] {
    let folder = testFile.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return readFile("\(folder)/Fixtures/\(name)")
}

/// The path of `Fixtures/<name>` beside the calling test file.
public func fixturePath(_ name: String, testFile: String = #filePath) -> String {
    let folder = testFile.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return "\(folder)/Fixtures/\(name)"
}

/// The bytes of the file at `path`, or an empty array when it cannot be read.
public func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var piece = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&piece, 1, piece.count, file)
        if count == 0 { break }
        bytes += piece[0..<count]
    }
    return bytes
}
